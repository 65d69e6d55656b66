/**
 * The Lab runs the scenario it loaded: its network controls show a default where the scenario sets
 * nothing, and only what the reader changes is written into the scenario (src/lib/network.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK, linkFromEdits, settingsFromLink, unsetFields } from '../../src/lib/network.ts';
import type { LinkSpec } from '../../simulator/scenarios/schema.ts';

describe('the Lab network controls and the scenario link', () => {
  it('leaves a link as it was when the reader changes nothing', () => {
    // No bandwidthKbps: the simulator's link has no rate limit (simulator/net/config.ts), and the
    // CLI runs it so. The controls show 10 Mbit/s; filling it in made the Lab's run differ
    // (841.228 ms where the CLI said 841).
    const link: LinkSpec = { latencyMs: 20, queuePackets: 50 };
    const shown = settingsFromLink(link);
    expect(shown).toEqual({ ...DEFAULT_NETWORK, latencyMs: 20 });
    expect(linkFromEdits(link, shown, { ...shown })).toEqual({ latencyMs: 20, queuePackets: 50 });
    expect(linkFromEdits(undefined, settingsFromLink(undefined), settingsFromLink(undefined))).toEqual({});
    // Jitter and loss are unset too, but the controls show 0, which is what the simulator does without them.
    expect(unsetFields(link, shown, shown)).toEqual(['bandwidthKbps']);
    expect(unsetFields(undefined, settingsFromLink(undefined), settingsFromLink(undefined))).toEqual(['latencyMs', 'bandwidthKbps']);
  });

  it('writes what the reader moved, and only that', () => {
    const link: LinkSpec = { latencyMs: 20 };
    const shown = settingsFromLink(link);
    const now = { ...shown, bandwidthKbps: 512, latencyMs: 50 };
    expect(linkFromEdits(link, shown, now)).toEqual({ latencyMs: 50, bandwidthKbps: 512 });
    expect(unsetFields(link, shown, now)).toEqual([]);
    // Moved away and back to the shown position is the shown value: the reader chose it... but
    // the controls cannot tell, so it is unset again (the note under the controls says so).
    expect(linkFromEdits(link, shown, { ...shown })).toEqual({ latencyMs: 20 });
  });

  it("keeps a scenario's own bursty-loss parameters and outages unless the reader changes them", () => {
    const link: LinkSpec = { lossPct: 2, burstLoss: { p: 0.01, r: 0.3 }, outages: [{ atS: 1, forS: 2 }] } as LinkSpec;
    const shown = settingsFromLink(link);
    expect([shown.burstLoss, shown.outages]).toEqual([true, [{ atS: 1, forS: 2 }]]);
    expect(linkFromEdits(link, shown, { ...shown, outages: [...shown.outages] })).toEqual(link);
    expect(linkFromEdits(link, shown, { ...shown, burstLoss: false })).toEqual({ lossPct: 2, outages: [{ atS: 1, forS: 2 }] });
    expect(linkFromEdits(link, shown, { ...shown, outages: [] })).toEqual({ lossPct: 2, burstLoss: { p: 0.01, r: 0.3 } });
    // Turned on by the reader: the controls' bursty loss (mean burst of 4 packets), with loss to make bursty.
    const plain: LinkSpec = { lossPct: 1 };
    expect(linkFromEdits(plain, settingsFromLink(plain), { ...settingsFromLink(plain), burstLoss: true })).toEqual({ lossPct: 1, burstLoss: { meanBurstPackets: 4 } });
  });
});
