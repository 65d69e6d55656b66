/**
 * `wirelab decode mqtt|ws`: an engine's error message reaches the terminal through printable(),
 * as every message that may quote input does (issue 13: "control characters escaped in every
 * message"). A PUBLISH topic is the packet's own text, so a hostile one is the test.
 */
import { describe, expect, it } from 'vitest';
import { wirelab } from './helpers.ts';

describe('wirelab decode: engine errors on stderr are escaped', () => {
  it('escapes a C1 control (U+009B, a terminal escape on its own) quoted from a PUBLISH topic', async () => {
    // 30 (PUBLISH, QoS 0) | 08 remaining | 0006 topic length | c29b (U+009B) 33 31 6d ("31m") 23 ("#").
    // The wildcard makes it invalid [MQTT-3.3.2-2]; the message quotes the topic with JSON.stringify,
    // which leaves U+009B raw (it escapes only U+0000-U+001F).
    const r = await wirelab(['decode', 'mqtt', '30080006c29b33316d23']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('wirelab decode mqtt: mqtt-bad-topic-name: PUBLISH: topic name "\\x9b31m#" contains a wildcard (+ or #) [MQTT-3.3.2-2] (at byte 0)\n');
    expect(r.stderr).not.toContain('\u009b');
    // stdout stays the decoder's JSON (data, not a message): the error object says the same.
    expect(JSON.parse(r.stdout).error).toEqual({
      code: 'mqtt-bad-topic-name',
      reasonCode: null,
      message: 'PUBLISH: topic name "\u009b31m#" contains a wildcard (+ or #) [MQTT-3.3.2-2]',
      offset: 0,
    });
  });

  it('escapes a bidirectional override (U+202E) the same way', async () => {
    // 30 | 07 | 0005 | e280ae (U+202E) 61 ("a") 2b ("+"): a wildcard in a topic name again.
    const r = await wirelab(['decode', 'mqtt', '30070005e280ae612b']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('wirelab decode mqtt: mqtt-bad-topic-name: PUBLISH: topic name "\\u202ea+" contains a wildcard (+ or #) [MQTT-3.3.2-2] (at byte 0)\n');
  });

  it('prints a WebSocket engine error as one plain line', async () => {
    // 83 = FIN + opcode 0x3, a reserved data opcode (RFC 6455 section 5.2): close code 1002.
    const r = await wirelab(['decode', 'ws', '8300']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('wirelab decode ws: RESERVED_OPCODE (close code 1002): opcode 0x3 is reserved\n');
  });
});

describe('wirelab decode: protocol names', () => {
  it('refuses a name Object.prototype has as an unknown protocol, exit 2 (it was an internal error)', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      const r = await wirelab(['decode', name, '00']);
      expect([name, r.code, r.stderr.split('\n')[0]]).toEqual([name, 2, `wirelab decode: unknown protocol "${name}"`]);
    }
  });
});
