import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MqttClient } from '../../../simulator/protocols/mqtt/client.ts';

describe('client engine properties', () => {
  it('random bytes from the server never throw out of the engine; bad ones close the connection', () => {
    fc.assert(
      fc.property(fc.constantFrom('3.1.1' as const, '5' as const), fc.boolean(), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (version, connack, chunks) => {
        const c = new MqttClient({ version, clientId: 'c', keepaliveS: 5, clean: false });
        c.publish('t', new Uint8Array([1]), { qos: 2 }, 0);
        c.subscribe([{ topic: '#', qos: 2 }], 0);
        c.connect(0);
        if (connack) c.receiveData(new Uint8Array(version === '5' ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0]), 1);
        let t = 2;
        for (const chunk of chunks) {
          expect(() => c.receiveData(chunk, t++)).not.toThrow();
          expect(() => c.handleTimer(t++)).not.toThrow();
        }
        const events = [];
        for (let e = c.nextEvent(); e !== undefined; e = c.nextEvent()) events.push(e);
        const closes = events.filter((e) => e.type === 'close').length;
        expect(closes).toBeLessThanOrEqual(1);
        if (closes === 1) expect(c.state).toBe('offline');
        expect(c.packetIdsInUse).toBeLessThanOrEqual(3);
      }),
      { seed: 5, numRuns: 1500 },
    );
  }, 30_000); // CPU-bound: 1,500 runs take about 3 s alone, more on a loaded machine
});
