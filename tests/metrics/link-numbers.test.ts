/**
 * Link records given by their fields with the link's number (core/trace.ts TraceSink.linkPacket,
 * what a run does) give the metrics the same records as objects give: whatever the numbers, even
 * two links sharing one (the number is a hint for finding the link's state, never its identity),
 * and whichever connection a link carries from one packet to the next (./index.ts keeps the last
 * one per link).
 */
import { describe, expect, it } from 'vitest';
import type { ConnId, LinkId, TraceRecord } from '../../simulator/core/trace.ts';
import { computeMetrics, MetricsReducer } from '../../simulator/metrics/index.ts';

type Fields = [kind: 'link-send' | 'link-receive', link: LinkId, linkIndex: number, bytes: number, conn?: ConnId];

const flows: TraceRecord[] = [
  { t: 0, kind: 'flow', flow: 'f1', protocol: 'mqtt', from: 'a', to: 'c' },
  { t: 0, kind: 'flow', flow: 'f2', protocol: 'mqtt', from: 'b', to: 'c' },
  { t: 0, kind: 'app-send', flow: 'f1', msg: 0, bytes: 10 },
  { t: 0, kind: 'app-send', flow: 'f2', msg: 0, bytes: 30 },
];
const A = 'a:49152-r:1883';
const B = 'b:49152-r:1883';
const C = 'c:49152-r:1883';
// a and b publish through relay r to c. The links a->core and core->r share number 0; the
// relay's links carry the three connections in turn; one record has no connection.
const packets: Fields[] = [
  ['link-send', 'a->core', 0, 100, A],
  ['link-receive', 'a->core', 0, 100, A],
  ['link-send', 'core->r', 0, 100, A],
  ['link-send', 'b->core', 2, 200, B],
  ['link-send', 'core->r', 0, 200, B],
  ['link-receive', 'core->r', 0, 100, A],
  ['link-send', 'r->core', 4, 50, A],
  ['link-send', 'r->core', 4, 70, C],
  ['link-send', 'r->core', 4, 50, A],
  ['link-send', 'r->core', 4, 60, B],
  ['link-send', 'r->core', 4, 40],
  ['link-send', 'r->core', 4, 60, B],
  ['link-send', 'c->core', 6, 40, C],
  ['link-send', 'a->core', 0, 100, A],
];

function record([kind, link, , bytes, conn]: Fields, packet: number): TraceRecord {
  return conn === undefined ? { t: packet, kind, link, packet, bytes } : { t: packet, kind, link, packet, bytes, conn };
}

describe('link records by their fields and link numbers', () => {
  it('give exactly the metrics of the same records as objects', () => {
    const byFields = new MetricsReducer();
    for (const r of flows) byFields.emit(r);
    packets.forEach((p, i) => byFields.linkPacket(i, p[0], p[1], p[2], i, p[3], p[4]));
    const reference = computeMetrics([...flows, ...packets.map(record)]);
    expect(JSON.stringify(byFields.result())).toBe(JSON.stringify(reference));

    // The figures themselves: a->core sent 100 + 100, core->r 100 + 200 (received 100), r->core
    // 50 + 70 + 50 + 60 + 40 + 60 = 330.
    expect(reference.links.map((l) => [l.link, l.segmentsSent, l.bytes, l.received])).toEqual([
      ['a->core', 2, 200, 1],
      ['b->core', 1, 200, 0],
      ['c->core', 1, 40, 0],
      ['core->r', 2, 300, 1],
      ['r->core', 6, 330, 0],
    ]);
    // Wire bytes, counted on links leaving an end of each connection: A = 100 + 50 + 50 + 100 =
    // 300, B = 200 + 60 + 60 = 320, C = 70 + 40 = 110 (core->r leaves no end; the record without
    // a connection counts for none). f1 (a to c via r) gets A and, by appBytes 10 of 40, a quarter
    // of C: 300 + 27.5 = 327.5, rounded 328; f2 gets B and three quarters of C: 320 + 82.5 = 402.5,
    // rounded 403 (Math.round rounds .5 up).
    expect(reference.flows.map((f) => [f.flow, f.wireBytes])).toEqual([
      ['f1', 328],
      ['f2', 403],
    ]);
  });
});
