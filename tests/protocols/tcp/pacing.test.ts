/**
 * BBR's pacing of writes, as Linux's internal pacing does it (simulator/protocols/tcp/cc/driver.ts;
 * net/ipv4/tcp_output.c __tcp_transmit_skb, tcp_update_skb_after_send, tcp_pacing_check).
 *
 * The set-up is the testbed's "publish bytes over websocket" probe in small: 25 ms each way, both
 * ends BBR, the client with TCP_NODELAY (ws sets it). Once connected the client makes ten small
 * writes (the HTTP upgrade and the pieces of CONNECT), then writes one PUBLISH the way mqtt.js in
 * Node does over WebSocket: five send() calls of 7, 7, 8, 7 and 106 bytes (one frame per piece
 * mqtt-packet writes). On the testbed Linux sends those as five segments with bbr as with cubic
 * (395 IP bytes per PUBLISH); the engine used to pace them by IP bytes at the same instant and
 * merged the last four into one segment (239 IP bytes).
 *
 * BBR's startup pacing rate here (bbr_init_pacing_rate_from_rtt on the first ACK, SRTT 50 ms,
 * cwnd 10 x 1448): bw = floor(14480 x 2^24 / 50000) = 4,858,681 (bytes per µs << 24), rate =
 * bw x 739/256 x 10^6 x 0.99 / 2^24 = 827,633.7 B/s. The samples that follow are app-limited
 * and lower, and in STARTUP the rate only rises, so it stays there.
 */
import { describe, expect, it } from 'vitest';
import { ms, s } from '../../../simulator/core/time.ts';
import { Pair, pattern } from './harness.ts';

function run(congestion: 'bbr' | 'cubic'): string[] {
  const p = new Pair({ delay: ms(25), optionsA: { congestion, nagle: false }, optionsB: { congestion } }).connect();
  p.onConnected('A', (c, now) => {
    for (let i = 0; i < 10; i++) c.send(pattern(10, i), now);
  });
  p.at(ms(300), 'A', (c, now) => {
    for (const n of [7, 7, 8, 7, 106]) c.send(pattern(n), now);
  });
  p.at(ms(500), 'A', (c, now) => {
    for (const n of [1448, 7, 7]) c.send(pattern(n), now);
  });
  p.run(s(2));
  expect(p.receivedBytes('B')).toBe(100 + 135 + 1462);
  return p
    .segmentsFrom('A')
    .filter((x) => x.seg.payload.length > 0)
    .map((x) => `${x.t}:${x.seg.payload.length}`);
}

describe('BBR pacing of writes (Linux internal pacing, EDT)', () => {
  it('lets the first ten data segments go unpaced, and each small same-instant write leave as its own segment', () => {
    const segs = run('bbr');
    // The first ten data segments are not paced (tp->data_segs_out < 10): all ten at 50 ms.
    expect(segs.slice(0, 10)).toEqual(Array(10).fill('50000:10'));
    // The PUBLISH's five calls come 15 µs apart on the host (SEND_CALL_GAP_NS). The 7-byte
    // piece's interval is floor(7e9 / 827,633.7) = 8,457 ns, less half as credit after 200 ms
    // idle: 4,229 ns; each next call finds the departure time behind the clock (15,000 ns later,
    // and again half forgiven), so nothing is held: five segments at 300 ms, as Linux sends them.
    expect(segs.slice(10, 15)).toEqual(['300000:7', '300000:7', '300000:8', '300000:7', '300000:106']);
  });

  it('holds what is written behind a segment whose interval is longer than a send() call, and merges it', () => {
    const segs = run('bbr');
    // 1448 bytes: floor(1448e9 / 827,633.7) = 1,749,566 ns, half forgiven after idle: 874,783 ns.
    // The two 7-byte writes 15 and 30 µs later wait for it (tcp_pacing_check) and leave as one
    // 14-byte segment when the pacing timer fires at ceil(500,874,783 ns) = 500,875 µs.
    expect(segs.slice(15)).toEqual(['500000:1448', '500875:14']);
  });

  it('is the same as unpaced CUBIC for these writes, except the held one', () => {
    // CUBIC is not paced (no SK_PACING_NEEDED on a pfifo_fast host): every write leaves at once.
    expect(run('cubic')).toEqual([...Array(10).fill('50000:10'), '300000:7', '300000:7', '300000:8', '300000:7', '300000:106', '500000:1448', '500000:7', '500000:7']);
  });
});
