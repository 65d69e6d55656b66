/**
 * What chapter 8's topic explorer sends to the worker and gets back. Only types and the starting
 * input: the page and the worker both import this file.
 */

export interface TopicsInput {
  /** Topic names, one per line (what the publisher publishes to, in this order). */
  topics: string;
  /** Topic filters, one per line; each line is one subscriber client (`$share/{group}/{filter}` joins a share group). */
  filters: string;
  /** Protocol version every client connects with. */
  version: '3.1.1' | '5';
  /** How many times the publisher goes through the whole tree (share groups take turns). */
  rounds: number;
}

export interface TopicLine {
  text: string;
  /** Why this is not a valid topic name (then it is not published). */
  error?: string;
  /** Filter lines (0-based) whose subscriber received a message on this topic, in any round. */
  receivedBy: number[];
}

export interface FilterLine {
  text: string;
  /** Why the broker would refuse this filter (then this subscriber is not connected). */
  error?: string;
  /** For `$share/{group}/{filter}`: the group and the filter. */
  group?: string;
  filter?: string;
  /** Indexes into `published` of the messages this subscriber received. */
  received: number[];
}

export interface Published {
  /** Index of the topic line. */
  topic: number;
  /** 1-based round of publishing. */
  round: number;
  /** Filter lines (0-based) whose subscriber received it. */
  receivers: number[];
}

export interface TopicsResult {
  input: TopicsInput;
  topics: TopicLine[];
  filters: FilterLine[];
  /** Every PUBLISH the publisher sent, in order. */
  published: Published[];
  /** Set when a list was longer than the page takes (the rest was left out). */
  problem?: string;
}

/**
 * The starting tree: the specification's own examples (MQTT 3.1.1 and 5, section 4.7), a `$SYS`
 * topic, and two members of one share group.
 */
export const TOPICS_DEFAULTS: TopicsInput = {
  topics: [
    'sport/tennis/player1',
    'sport/tennis/player1/ranking',
    'sport/tennis/player2',
    'sport',
    'sport/',
    '/finance',
    '$SYS/monitor/Clients',
    'sensors/kitchen/temp',
    'sensors/garden/temp',
  ].join('\n'),
  filters: [
    'sport/tennis/player1/#',
    'sport/tennis/+',
    'sport/+',
    '+/+',
    '#',
    '$SYS/#',
    '$share/dash/sensors/+/temp',
    '$share/dash/sensors/+/temp',
  ].join('\n'),
  version: '5',
  rounds: 1,
};
