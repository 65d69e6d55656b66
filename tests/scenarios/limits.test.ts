/**
 * Limits with names (simulator/scenarios/limits.ts): every reproducer of issue 13 items 1-3 and 6
 * that the schema or the estimate decides, refused with the field's path and the limit's name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateRun, resourceProblems, sendsOf } from '../../simulator/scenarios/estimate.ts';
import { LIMITS, RUN_LIMITS } from '../../simulator/scenarios/limits.ts';
import { parseScenario, type Scenario } from '../../simulator/scenarios/schema.ts';

const base = (nodes: unknown[], extra: Record<string, unknown> = {}) => ({ schema: 'wirelab/scenario@1', seed: 3, durationS: 10, nodes, ...extra });
const ws = (client: Record<string, unknown> = {}, server: Record<string, unknown> = {}) =>
  base([
    { id: 's', role: 'ws-server', ...server },
    { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1000 }], ...client },
  ]);
const mqtt = (client: Record<string, unknown>) => base([{ id: 'b', role: 'mqtt-broker' }, { id: 'c', role: 'mqtt-client', ...client }]);

function errorsOf(json: unknown): string[] {
  const result = parseScenario(json);
  if (result.ok) throw new Error('expected the scenario to be refused');
  return result.errors;
}

function valid(json: unknown): Scenario {
  const result = parseScenario(json);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.scenario;
}

describe('issue 13 item 1: runs too long or too fast for memory are refused by the schema', () => {
  it('refuses the one-year ws-client scenario by its durationS', () => {
    const year = { ...ws(), durationS: 31_536_000 };
    expect(errorsOf(year)).toEqual(['durationS: expected a number greater than 0 and at most 86400 [limit durationS], got 31536000']);
  });

  it('refuses a send interval below one tick of the microsecond clock (everyMs 1e-300)', () => {
    const fast = ws({ send: [{ payloadBytes: 20, everyMs: 1e-300 }] });
    expect(errorsOf(fast)).toEqual(['nodes[1].send[0].everyMs: expected a number from 0.001 to 86400000 [limit millis], got 1e-300']);
  });

  it('refuses a retransmission count past 255 (rtoMax 1 with huge maxRetries at 100% loss)', () => {
    const storm = base([
      { id: 'a', role: 'tcp-sender', to: 'b', bytes: 1000, link: { lossPct: 100 }, tcp: { rtoMax: 1, rtoMin: 1, rtoInitial: 1, maxRetries: 1e9 } },
      { id: 'b', role: 'tcp-sink' },
    ]);
    expect(errorsOf(storm)).toEqual(['nodes[0].tcp.maxRetries: expected an integer from 0 to 255 [limit retries], got 1000000000']);
  });
});

describe('issue 13 item 2: sizes are capped before anything is allocated', () => {
  it('refuses payloadBytes 1e10 and a will of 1e10 bytes', () => {
    expect(errorsOf(ws({ send: [{ payloadBytes: 1e10, everyMs: 1000 }] }))).toEqual([
      'nodes[1].send[0].payloadBytes: expected an integer from 0 to 16777216 [limit payloadBytes], got 10000000000',
    ]);
    expect(errorsOf(mqtt({ mqtt: { will: { topic: 'w', payloadBytes: 1e10 } } }))).toEqual([
      'nodes[1].mqtt.will.payloadBytes: expected an integer from 0 to 65535 [limit willPayloadBytes], got 10000000000',
    ]);
  });

  it('refuses TCP bulk bytes of 5e9 and 1e12', () => {
    for (const bytes of [5e9, 1e12]) {
      expect(errorsOf(base([{ id: 'a', role: 'tcp-sender', to: 'b', bytes }, { id: 'b', role: 'tcp-sink' }]))).toEqual([
        `nodes[0].bytes: expected an integer from 1 to 268435456 [limit bulkBytes], got ${bytes}`,
      ]);
    }
  });

  it('refuses 100,000 nodes by their count, before reading them', () => {
    const nodes = Array.from({ length: 100_000 }, (_, i) => ({ id: `n${i}`, role: 'tcp-sink' }));
    expect(errorsOf(base(nodes))).toEqual(['nodes: expected at most 10000 nodes [limit nodes], got 100000']);
    // 10,000 are accepted.
    valid(base(nodes.slice(0, LIMITS.nodes)));
  });
});

describe('issue 13 item 3: the schema refuses what the engines reject, naming the field', () => {
  it('refuses a bursty loss the Gilbert-Elliott model cannot produce, at the layer that set it', () => {
    expect(errorsOf(base([{ id: 'a', role: 'tcp-sink', link: { lossPct: 100, burstLoss: { meanBurstPackets: 2 } } }]))).toEqual([
      'nodes[0].link.burstLoss: expected a loss the model can produce: burst loss mean must be in [0, 100) percent, got 100',
    ]);
    // Mean loss 60% in bursts of 1: p = 0.6 x 1 / 0.4 = 1.5 > 1.
    expect(errorsOf(base([{ id: 'a', role: 'tcp-sink', link: { lossPct: 60, burstLoss: { meanBurstPackets: 1 } } }]))).toEqual([
      'nodes[0].link.burstLoss: expected a loss the model can produce: burst loss of 60% with bursts of 1 packets is impossible (needs P(Good->Bad) = 1.500 > 1)',
    ]);
    // The loss from defaults.link with the burst on one node's downlink: reported on the node.
    expect(
      errorsOf(base([{ id: 'a', role: 'tcp-sink', down: { burstLoss: { meanBurstPackets: 1 } } }], { defaults: { link: { lossPct: 60 } } })),
    ).toEqual(['nodes[0].down.burstLoss: expected a loss the model can produce: burst loss of 60% with bursts of 1 packets is impossible (needs P(Good->Bad) = 1.500 > 1)']);
    // 50% in bursts of 1 is possible (p = 1): accepted.
    valid(base([{ id: 'a', role: 'tcp-sink', link: { lossPct: 50, burstLoss: { meanBurstPackets: 1 } } }]));
  });

  it('refuses latencyMs, jitterMs and heartbeatS of 1e308', () => {
    expect(errorsOf(ws({ link: { latencyMs: 1e308, jitterMs: 1e308 }, ws: { heartbeatS: 1e308 } }))).toEqual([
      'nodes[1].link.latencyMs: expected a number from 0 to 86400000 [limit millis], got 1e+308',
      'nodes[1].link.jitterMs: expected a number from 0 to 86400000 [limit millis], got 1e+308',
      'nodes[1].ws.heartbeatS: expected a number from 0 to 86400 [limit seconds], got 1e+308',
    ]);
  });

  it('refuses a client id of 70,000 characters and a topic with a lone surrogate or U+0000', () => {
    expect(errorsOf(mqtt({ mqtt: { clientId: 'x'.repeat(70_000) } }))).toEqual([
      'nodes[1].mqtt.clientId: expected a client id of at most 65535 bytes of UTF-8 [limit mqttStringBytes], got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...',
    ]);
    // 30,000 three-byte characters: 30,000 UTF-16 units but 90,000 bytes of UTF-8.
    expect(errorsOf(mqtt({ mqtt: { clientId: '€'.repeat(30_000) } }))).toEqual([
      'nodes[1].mqtt.clientId: expected a client id of at most 65535 bytes of UTF-8 [limit mqttStringBytes], got 90000',
    ]);
    expect(errorsOf(mqtt({ subscribe: [{ topic: 'a/\ud800', qos: 0 }] }))).toEqual([
      'nodes[1].subscribe[0].topic: expected a topic filter in well-formed Unicode: it has a lone surrogate, which has no UTF-8 form [MQTT-1.5.3-1]',
    ]);
    expect(errorsOf(mqtt({ publish: [{ topic: 'a\u0000b', qos: 0, payloadBytes: 1, everyMs: 1000 }] }))).toEqual([
      'nodes[1].publish[0].topic: expected a topic name without the character U+0000 [MQTT-1.5.3-2]',
    ]);
    // A paired surrogate (an emoji) is well-formed and accepted.
    valid(mqtt({ subscribe: [{ topic: 'a/\u{1f600}', qos: 0 }] }));
  });

  it('refuses a 10,000-deep list in an unknown field without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const errors = errorsOf(base([{ id: 'a', role: 'tcp-sink', extra: deep }]));
    // nodes, 0, extra, then 29 list levels: 32 deep.
    expect(errors).toEqual([`nodes[0].extra${'[0]'.repeat(29)}: expected values nested at most 32 deep [limit depth]`]);
  });
});

describe('issue 13 item 6: prototype keys and control characters', () => {
  it('refuses __proto__, constructor and prototype as field names anywhere', () => {
    const json = JSON.parse('{"schema":"wirelab/scenario@1","seed":1,"durationS":1,"nodes":[{"id":"a","role":"tcp-sink","__proto__":{"polluted":1},"x":{"constructor":{"prototype":{"polluted":1}}}}]}');
    expect(errorsOf(json)).toEqual([
      "nodes[0].__proto__: a field with this name is not allowed (it names JavaScript's object machinery)",
      "nodes[0].x.constructor: a field with this name is not allowed (it names JavaScript's object machinery)",
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('escapes control characters and terminal escapes of a field name and a value in the message', () => {
    const json = { ...base([{ id: 'a', role: 'tcp-sink' }]), 'x\u001b[31m\u009b': 1 };
    expect(errorsOf(json)).toEqual(['x\\x1b[31m\\x9b: unknown field (check the spelling)']);
    expect(errorsOf(base([{ id: 'a\u001b]0;owned\u0007', role: 'tcp-sink' }]))).toEqual([
      'nodes[0].id: expected a node id (letters, digits, ".", "_" or "-"), got "a\\u001b]0;owned\\u0007"',
    ]);
  });
});

describe('the resource estimate before a run', () => {
  it('counts sends as the roles tick: [startS, min(stopS, durationS)) every everyMs', () => {
    expect(sendsOf({ payloadBytes: 1, everyMs: 1000 }, 10)).toBe(10); // t = 0, 1, ..., 9 s
    expect(sendsOf({ payloadBytes: 1, everyMs: 300, startS: 1, stopS: 2 }, 10)).toBe(4); // 1.0, 1.3, 1.6, 1.9 s
    expect(sendsOf({ payloadBytes: 1, everyMs: 1000, startS: 20 }, 10)).toBe(0);
  });

  it('passes every example scenario with room to spare', () => {
    const examples = ['sensors', 'mqtt-qos1-backlog', 'tcp-bulk', 'ws-outage'];
    for (const name of examples) {
      const scenario = valid(JSON.parse(readFileSync(new URL(`../../scenarios/examples/${name}.json`, import.meta.url), 'utf8')));
      expect(resourceProblems(scenario), name).toEqual([]);
    }
  });

  it('refuses a valid scenario that sends every millisecond for a day, naming the limits and what to change', () => {
    const day = valid({ ...ws({ send: [{ payloadBytes: 20, everyMs: 1 }] }), durationS: 86_400 });
    // 86,400 s / 1 ms = 86,400,000 sends to one server; 1 segment x 1 hop x 8 events each.
    expect(estimateRun(day).messages).toBe(86_400_000);
    expect(resourceProblems(day, RUN_LIMITS, { messages: '--max-messages N' })).toEqual([
      'the run would carry about 86,400,000 messages (every send, times its receivers), over the limit of 500,000 [limit messages]: shorten durationS or send less often, or raise it with --max-messages N',
      // 86,400,000 x 8 events, and 200 per node for connecting and closing.
      'the run would take about 691,200,400 simulator events, over the limit of 10,000,000 [limit estimatedEvents]: shorten durationS, send less often or smaller',
      'the run could hold about 29,376 MB of messages in memory, over the limit of 537 MB [limit heldBytes]: send fewer or smaller messages',
    ]);
  });

  it('counts an MQTT publish once per subscribing client', () => {
    const s = valid(
      base([
        { id: 'b', role: 'mqtt-broker' },
        { id: 'p', role: 'mqtt-client', publish: [{ topic: 't', qos: 0, payloadBytes: 10, everyMs: 100 }] },
        { id: 's1', role: 'mqtt-client', subscribe: [{ topic: 't', qos: 0 }] },
        { id: 's2', role: 'mqtt-client', subscribe: [{ topic: 'u', qos: 0 }] },
      ]),
    );
    // 10 s / 100 ms = 100 sends x 2 subscribing clients (an upper bound: s2 never matches).
    expect(estimateRun(s).messages).toBe(200);
  });

  it('counts segments with the MSS of the node sending on each hop (tcp.mss)', () => {
    const send = [{ payloadBytes: 20, everyMs: 1000 }];
    // 10 sends of 20 + 64 framing bytes: 1 segment each at the default MSS, 84 at mss 1 (every
    // byte a segment); 8 events per segment and hop, and 200 per node (2 nodes).
    expect(estimateRun(valid(ws({ send }))).events).toBe(10 * 1 * 8 + 400);
    expect(estimateRun(valid(ws({ send, tcp: { mss: 1 } }))).events).toBe(10 * 84 * 8 + 400);
    expect(estimateRun(valid(ws({ send, tcp: { mss: 42 } }))).events).toBe(10 * 2 * 8 + 400);
    // MQTT: the publisher's MSS on the way to the broker, the broker's on the way to the subscriber.
    const publish = [{ topic: 't', qos: 0, payloadBytes: 20, everyMs: 1000 }];
    const fleet = (pubTcp: object, brokerTcp: object) =>
      valid(base([
        { id: 'b', role: 'mqtt-broker', tcp: brokerTcp },
        { id: 'p', role: 'mqtt-client', publish, tcp: pubTcp },
        { id: 's', role: 'mqtt-client', subscribe: [{ topic: 't', qos: 0 }] },
      ]));
    // Keepalive 60 s on both clients: ceil(10 / 60) x 2 x 8 = 16 events each; 200 per node (3).
    const rest = 2 * 16 + 600;
    expect(estimateRun(fleet({}, {})).events).toBe(10 * (1 + 1) * 8 + rest);
    expect(estimateRun(fleet({ mss: 1 }, {})).events).toBe(10 * (84 + 1) * 8 + rest);
    expect(estimateRun(fleet({}, { mss: 1 })).events).toBe(10 * (1 + 84) * 8 + rest);
    // A bulk transfer: 1,000 bytes in 1,000 segments of one byte, 8 events each (+ 200 per node).
    const bulk = (tcp: object) => valid(base([{ id: 's', role: 'tcp-sender', to: 'k', bytes: 1000, tcp }, { id: 'k', role: 'tcp-sink' }]));
    expect(estimateRun(bulk({})).events).toBe(1 * 8 + 400);
    expect(estimateRun(bulk({ mss: 1 })).events).toBe(1000 * 8 + 400);
  });
});

describe('issue 13 item 6: ws.fragmentBytes 1', () => {
  it('sends one 2,000-byte message as 2,000 one-byte frames and delivers it (the engine drains its events in linear time; 160 KB took 10 s before)', async () => {
    const { runScenario } = await import('../../simulator/runtime/run.ts');
    const run = runScenario(valid(ws({ ws: { fragmentBytes: 1 }, send: [{ payloadBytes: 2000, everyMs: 60_000, startS: 1 }] })));
    const frames = run.trace.filter((r) => r.kind === 'ws-frame' && r.node === 'c' && r.dir === 'send' && r.opcode !== 'close');
    expect(frames).toHaveLength(2000);
    expect(run.trace.filter((r) => r.kind === 'app-deliver')).toHaveLength(1);
  });
});
