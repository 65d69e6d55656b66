/**
 * Which sections of the source article (../shared/seed/, 19 numbered sections) the course tests
 * with an experiment, chapter by chapter. The home page lists it, and
 * tests/site/seed-coverage.test.ts checks it against the article and the chapters: every
 * section named here exists in the article, every chapter named here exists and has a widget and
 * a claim check, and a section whose only chapter is removed becomes uncovered.
 *
 * A chapter covers a section when one of its widgets runs the section's claims (its claim checks
 * quote them). `partly` says the chapter tests some of the section's claims, not all.
 */

/** The article's numbered sections, in order (their titles as the article writes them). */
export const SEED_SECTIONS = [
  'Introduction',
  'What Is WebSocket?',
  'What Is MQTT?',
  'Communication Model Comparison',
  'Protocol & Transport Layer Differences',
  'Reliability & Delivery Guarantees',
  'Performance & Bandwidth Efficiency',
  'Scalability Considerations',
  'Infrastructure & DevOps Complexity',
  'Security Model',
  'Browser & Platform Support',
  'Development Experience',
  'Use Cases for WebSockets',
  'Use Cases for MQTT',
  'Cost Implications',
  'Limitations & Gotchas',
  'Can WebSocket and MQTT Be Used Together?',
  'Decision Checklist',
  'Conclusion',
] as const;

export interface Coverage {
  /** The chapter's address without slashes: "chapters/two-protocols". */
  chapter: string;
  /** What of the section the chapter's experiment tests. */
  what: string;
  partly: boolean;
}

/** Section number (1-based) -> the chapters that test it. */
export const SEED_COVERAGE: Readonly<Record<number, readonly Coverage[]>> = {
  1: [{ chapter: 'chapters/two-protocols', what: 'what each protocol is for, on one system wired both ways', partly: true }],
  2: [
    { chapter: 'chapters/opening-a-connection', what: 'the HTTP upgrade, byte by byte and round trip by round trip', partly: true },
    { chapter: 'chapters/every-byte-counts', what: 'the frame format and masking', partly: true },
    { chapter: 'chapters/staying-alive', what: 'the lifecycle\'s heartbeat and closing handshake: ping/pong, close codes, 1006', partly: true },
  ],
  3: [
    { chapter: 'chapters/two-protocols', what: 'publish-subscribe through a broker', partly: true },
    { chapter: 'chapters/every-byte-counts', what: 'the PUBLISH packet and what QoS adds to it', partly: true },
    { chapter: 'chapters/staying-alive', what: 'keep-alive: when PINGREQ goes out, when the broker gives up, what it costs', partly: true },
    { chapter: 'chapters/offline-clients', what: 'persistent sessions, retained messages and the Last Will, and when it goes out', partly: true },
  ],
  4: [
    { chapter: 'chapters/two-protocols', what: 'client-server against publish-subscribe, the extra hop, one-to-many', partly: false },
    { chapter: 'chapters/communication-at-scale', what: 'one-to-many through a broker and through a server with rooms, up to 9,998 subscribers; topic-based routing with wildcards, $SYS and shared subscriptions', partly: false },
  ],
  5: [
    { chapter: 'chapters/opening-a-connection', what: 'connection setup with and without TLS', partly: true },
    { chapter: 'chapters/every-byte-counts', what: 'framing against minimal packet headers', partly: true },
  ],
  6: [
    { chapter: 'chapters/what-loss-does', what: 'what TCP does with loss while a connection lives, under QoS 0, 1, 2 and WebSocket', partly: true },
    { chapter: 'chapters/delivery-guarantees', what: 'QoS 0, 1, 2 with clean and kept sessions and WebSocket with and without acknowledgements through an outage; per-hop promises and the broker\'s limits', partly: true },
    { chapter: 'chapters/offline-clients', what: 'offline message handling: a kept session\'s bounded queue, QoS 0 not queued, retained messages, the will; a WebSocket replay buffer and heartbeat', partly: true },
  ],
  7: [
    { chapter: 'chapters/every-byte-counts', what: 'message size overhead, every layer counted', partly: true },
    { chapter: 'chapters/opening-a-connection', what: 'a slow link: when bytes, not round trips, decide', partly: true },
    { chapter: 'chapters/two-protocols', what: 'latency through a broker, and when Nagle adds to it', partly: true },
    { chapter: 'chapters/what-loss-does', what: 'latency on a lossy link, and the Nagle trap', partly: true },
    { chapter: 'chapters/constrained-links', what: 'low-bandwidth and high-latency links: bytes per reading and per day, reconnects, the broker\'s hop, and radio-on time for battery-powered devices', partly: true },
  ],
  8: [
    { chapter: 'chapters/communication-at-scale', what: 'fan-out efficiency: what one message costs the publisher, the hub and each subscriber as the audience grows (not memory or CPU per connection, nor clustering)', partly: true },
    { chapter: 'chapters/one-server-many-clients', what: 'what one server or broker holds per connection and per message as clients are added (connections, unacknowledged bytes, armed timers, queued messages), and one consumer as the limit of a fleet (not kernel memory or CPU, load balancers or clustering)', partly: true },
    { chapter: 'chapters/many-servers-one-failing', what: 'horizontal scaling behind a sticky load balancer: one server failing, the reconnect storm with and without jitter, where its clients and their messages go (broker clustering described, not run)', partly: true },
  ],
  9: [
    { chapter: 'chapters/one-server-many-clients', what: 'broker-managed state: shared subscriptions splitting a stream between consumers, and what the broker does with the jobs of one that vanishes (not load balancers, proxies or operations)', partly: true },
    { chapter: 'chapters/many-servers-one-failing', what: 'load balancers and sticky sessions, health checks, stateful servers failing, and whether reconnecting clients destabilize the system (not operational cost)', partly: true },
  ],
  10: [{ chapter: 'chapters/opening-a-connection', what: 'what TLS costs WSS and MQTT over TLS; what Sec-WebSocket-Accept proves', partly: true }],
  14: [{ chapter: 'chapters/offline-clients', what: 'sensors that resume sessions, get missed messages delivered, and send last-known status as retained messages', partly: true }],
  15: [{ chapter: 'chapters/constrained-links', what: 'bandwidth per device and day, and what reconnects cost (not infrastructure or hosting)', partly: true }],
  16: [{ chapter: 'chapters/staying-alive', what: 'connection fragility: idle connections silently dropped by a NAT, and who notices when', partly: true }],
};

/** Sections the chapters being written now will test (not counted as covered until they do). */
export const SEED_PLANNED: Readonly<Record<number, string>> = {};
