/** fidelity/report.ts: the results written between the page's markers. */
import { describe, expect, it } from 'vitest';
import { BEGIN, END, replaceBetween } from '../../fidelity/report.ts';

describe('replaceBetween', () => {
  it('replaces only what lies between the markers, and refuses a page without them', () => {
    const page = `intro\n\n${BEGIN}\n\nold table\n\n${END}\n\nafter`;
    expect(replaceBetween(page, 'new')).toBe(`intro\n\n${BEGIN}\n\nnew\n\n${END}\n\nafter`);
    expect(() => replaceBetween('no markers', 'x')).toThrow(/no fidelity:begin\/fidelity:end markers/);
  });
});

describe('the capture (fwd --log)', () => {
  it('parses lines and finds each connection\'s data segments in order', async () => {
    const { clientPorts, lastConnectAt, parseCapture, payloads } = await import('../../fidelity/capture.ts');
    const log = [
      '100 ab 60 0 2 40000 1883', // SYN of the first connection
      '110 ab 60 0 2 40002 1883', // SYN of the second
      '150 ba 60 0 18 1883 40000', // SYN-ACK (0x12)
      '200 ab 80 28 24 40000 1883', // CONNECT, 28 bytes (PSH|ACK)
      '210 ab 58 6 24 40000 1883 drop', // dropped: not delivered
      '220 ba 56 4 24 1883 40000', // CONNACK
      '230 ab 58 6 24 40000 1883',
      'garbage',
    ].join('\n');
    const packets = parseCapture(log);
    expect(packets.length).toBe(7);
    expect(clientPorts(packets, 1883)).toEqual([40000, 40002]);
    // The second connection's SYN (port 40002) left at 110.
    expect([lastConnectAt(packets, 1883), lastConnectAt(packets, 8883)]).toEqual([110, undefined]);
    expect(payloads(packets, 40000, 'ab').map((p) => p.payload)).toEqual([28, 6]);
    expect(payloads(packets, 40000, 'ba').map((p) => [p.t, p.payload])).toEqual([[220, 4]]);
  });
});
