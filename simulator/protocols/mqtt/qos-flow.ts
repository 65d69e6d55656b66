/**
 * The outbound QoS 1 / QoS 2 flow of one PUBLISH, as one transition table that both the client
 * (./client.ts, messages it publishes) and the broker (./broker.ts, messages it forwards to a
 * subscriber) follow. After h11's `_state.py`: the rules first, then the table, then one function.
 *
 * Rules of this file:
 * - A message the sender takes on is `queued` until it goes out as a PUBLISH with a Packet
 *   Identifier (`publish-sent`). QoS 1 ends on PUBACK (3.1.1 section 4.3.2, MQTT 5 4.3.2).
 *   QoS 2 moves to `pubrel-sent` on PUBREC (the sender answers PUBREL) and ends on PUBCOMP
 *   (section 4.3.3). In MQTT 5 a PUBREC with a reason code >= 0x80 ends it too: no PUBREL
 *   (MQTT 5 section 4.3.3).
 * - An acknowledgement that does not fit the state is ignored (a late duplicate; section 4.3.2/4.3.3
 *   leave it to the sender); the table says so by having no entry, and `next` returns undefined.
 *   What to answer to an unknown PUBREC (MQTT 5: PUBREL 0x92) is each side's own choice.
 * - On resuming a session the sender repeats, in the original order ([MQTT-4.4.0-1],
 *   [MQTT-4.6.0-1]), the packet of each state in flight: PUBLISH with DUP=1 for `publish-sent`,
 *   PUBREL for `pubrel-sent` (`RESEND`). Nothing else is ever repeated on a live connection.
 * - QoS 0 has no flow: it is written and forgotten.
 */

/** Where one outbound QoS 1/2 message stands. */
export type OutboundState = 'queued' | 'publish-sent' | 'pubrel-sent';

/** What can happen to it. `pubrec-refused`: an MQTT 5 PUBREC with a reason code >= 0x80. */
export type OutboundEvent = 'send' | 'puback' | 'pubrec' | 'pubrec-refused' | 'pubcomp';

/** The end of a flow: the packet identifier is free again ([MQTT-2.3.1-6]). */
export const DONE = 'done';
export type OutboundNext = OutboundState | typeof DONE;

type Table = Readonly<Record<OutboundState, Readonly<Partial<Record<OutboundEvent, OutboundNext>>>>>;

const QOS1: Table = {
  'queued': { send: 'publish-sent' },
  'publish-sent': { puback: DONE },
  'pubrel-sent': {}, // not a QoS 1 state
};

const QOS2: Table = {
  'queued': { send: 'publish-sent' },
  'publish-sent': { pubrec: 'pubrel-sent', 'pubrec-refused': DONE },
  // A repeated PUBREC (its first PUBREL may have gone with a dead connection) gets PUBREL again.
  'pubrel-sent': { pubrec: 'pubrel-sent', 'pubrec-refused': DONE, pubcomp: DONE },
};

/** The state after `event`, or undefined when the event does not apply there (ignore it). */
export function nextOutboundState(qos: 1 | 2, state: OutboundState, event: OutboundEvent): OutboundNext | undefined {
  return (qos === 1 ? QOS1 : QOS2)[state][event];
}

/** The packet repeated for a message in flight when its session resumes. */
export const RESEND: Readonly<Record<Exclude<OutboundState, 'queued'>, 'publish' | 'pubrel'>> = {
  'publish-sent': 'publish',
  'pubrel-sent': 'pubrel',
};

/** The acknowledgement a packet type is, as an event of this table (PUBREC split by its reason code). */
export function ackEvent(cmd: 'puback' | 'pubrec' | 'pubcomp', reasonCode: number | undefined): OutboundEvent {
  if (cmd === 'pubrec' && reasonCode !== undefined && reasonCode >= 0x80) return 'pubrec-refused';
  return cmd;
}
