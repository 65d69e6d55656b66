import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { linkMetrics } from '../../simulator/metrics/links.ts';

const zeroDrops = { loss: 0, 'burst-loss': 0, 'list-loss': 0, outage: 0, 'queue-full': 0, mtu: 0, 'idle-timeout': 0, 'no-route': 0 };

describe('link metrics', () => {
  it('counts sends, bytes, receives, drops by reason and retransmissions per link, sorted by id', () => {
    const records: TraceRecord[] = [
      { t: 0, kind: 'link-send', link: 'z->core', packet: 0, bytes: 100 },
      { t: 0, kind: 'link-send', link: 'a->core', packet: 0, bytes: 60 },
      { t: 0, kind: 'link-send', link: 'a->core', packet: 1, bytes: 1500 },
      { t: 0, kind: 'link-send', link: 'a->core', packet: 2, bytes: 1500 },
      { t: 0, kind: 'link-send', link: 'a->core', packet: 3, bytes: 1500 },
      { t: 1, kind: 'link-receive', link: 'a->core', packet: 0, bytes: 60 },
      { t: 1, kind: 'link-drop', link: 'a->core', packet: 1, bytes: 1500, reason: 'outage' },
      { t: 1, kind: 'link-drop', link: 'a->core', packet: 2, bytes: 1500, reason: 'queue-full' },
      { t: 2, kind: 'tcp-retransmit', node: 'a', conn: 'a:1-z:2', seq: 1, payloadBytes: 1448, cause: 'rto' },
      { t: 2, kind: 'tcp-retransmit', node: 'a', conn: 'a:1-z:2', seq: 1, payloadBytes: 1448, cause: 'rto' },
      { t: 3, kind: 'link-receive', link: 'z->core', packet: 0, bytes: 100 },
    ];
    expect(linkMetrics(records)).toEqual([
      {
        link: 'a->core',
        segmentsSent: 4,
        bytes: 4560,
        received: 1,
        dropped: 2,
        dropsByReason: { ...zeroDrops, outage: 1, 'queue-full': 1 },
        retransmitted: 2,
        inFlight: 1,
      },
      { link: 'z->core', segmentsSent: 1, bytes: 100, received: 1, dropped: 0, dropsByReason: zeroDrops, retransmitted: 0, inFlight: 0 },
    ]);
  });

  it('is empty for a trace without link records', () => {
    expect(linkMetrics([{ t: 0, kind: 'note', node: 'a', text: 'hello' }])).toEqual([]);
  });
});
