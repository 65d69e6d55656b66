/**
 * Honest exports: the packets CSV says when it holds only the first packets of a run, and an
 * exported chart carries a solid background and a caption naming scenario, seed and version.
 */
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { captionText, svgToString, wrapWords } from '../../src/lib/chartExport.ts';
import { packetCoverage, packetsCsv, packetsNote } from '../../src/lib/export.ts';
import { APP_VERSION } from '../../src/lib/version.ts';
import type { LinkMetrics } from '../../simulator/metrics/index.ts';
import type { RunTotals } from '../../src/worker/api.ts';
import { runTotals } from '../../src/worker/snapshot.ts';
import { trace } from '../site/fixtures.ts';
import { testDocument } from './dom.ts';

/** The fixture trace holds three `link-send` records (sensor 0 and 1, broker 0). */
const HELD = 3;

function links(...sent: number[]): LinkMetrics[] {
  return sent.map((segmentsSent, i) => ({ link: `n${i}->core`, segmentsSent, dropped: 0 } as unknown as LinkMetrics));
}

describe('packets CSV coverage', () => {
  it("counts the packets the page holds against the packets of the whole run (every link's, from the totals)", () => {
    expect(packetCoverage({ trace, totals: { packets: 3 } as RunTotals })).toEqual({ held: HELD, total: 3 });
    expect(packetCoverage({ trace, totals: { packets: 1234 } as RunTotals })).toEqual({ held: HELD, total: 1234 });
  });

  it('counts every link of a run whose snapshot ships only the first links', () => {
    // Two links (1,200 + 34 packets) of which the snapshot ships the first (RunOptions.rows):
    // the whole run's 1,234 packets come from the totals, not the 1,200 of the links shipped.
    // (A 10,000-client run in the Lab said "the first 0 of 120,474 packets": its first 100
    // links' share of 239,970.)
    const shipped = { trace, metrics: { flows: [], links: links(1200) }, totals: runTotals({ flows: [], links: links(1200, 34) }, []) };
    expect(packetCoverage(shipped)).toEqual({ held: HELD, total: 1234 });
  });

  it('writes a plain CSV when it holds every packet', () => {
    const csv = packetsCsv(trace, { held: HELD, total: HELD });
    expect(csv.split('\n')[0]).toBe('sent_ms,link,packet,bytes,conn,outcome,drop_reason,received_ms');
    expect(packetsNote({ held: HELD, total: HELD })).toBeNull();
    // Still travelling at the end of a whole run: in flight.
    expect(csvParse(csv).map((r) => r.outcome)).toEqual(['received', 'dropped', 'in-flight']);
  });

  it('says in its first line that it holds the first N of M packets, and leaves a cut-off packet\'s fate unknown', () => {
    const csv = packetsCsv(trace, { held: HELD, total: 1234 });
    const [first, header, ...rows] = csv.split('\n');
    expect(first).toBe('# This file holds the first 3 of 1,234 packets of the run (the page keeps only the start of the trace); ' +
      'for every packet, run the scenario with the command line: wirelab run SCENARIO.json --trace trace.csv');
    expect(header).toBe('sent_ms,link,packet,bytes,conn,outcome,drop_reason,received_ms');
    // broker->core packet 0 has no receive record before the cut: it may have arrived after it.
    expect(csvParse([header, ...rows].join('\n')).map((r) => r.outcome)).toEqual(['received', 'dropped', 'unknown']);
  });
});

describe('exported chart images', () => {
  function chart(): SVGSVGElement {
    const document = testDocument();
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg') as SVGSVGElement;
    svg.setAttribute('viewBox', '0 0 300 100');
    document.body.append(svg);
    return svg;
  }

  it('names the scenario, the seed and the build in the caption', () => {
    expect(captionText({ scenario: 'chapter 1, MQTT wiring', seed: 3 })).toBe(`Scenario: chapter 1, MQTT wiring · seed 3 · wirelab ${APP_VERSION}`);
    expect(captionText({ scenario: 'bytes per message', seed: null, version: '9.9.9' })).toBe('Scenario: bytes per message · no random choices (no seed) · wirelab 9.9.9');
  });

  it('wraps a caption at spaces', () => {
    expect(wrapWords('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapWords('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });

  it('adds the caption under the picture, grows the drawing to hold it, and lays a solid background under all of it', () => {
    const caption = captionText({ scenario: 'Lab scenario with a title long enough to need a second line here', seed: 42, version: '0.1.0' });
    const text = svgToString(chart(), { inlineStyles: false, background: 'rgb(23, 24, 28)', caption, captionColor: 'rgb(255, 255, 255)' });
    // 300 px wide: (300 - 16) / 6.8 = 41 characters a line, so this 106-character caption takes 3 lines;
    // height 100 + 8 + 3 x 16 + 4 = 160.
    expect(/<svg[^>]*viewBox="0 0 300 160"/.test(text)).toBe(true);
    expect(/<svg[^>]*height="160"/.test(text)).toBe(true);
    const lines = [...text.matchAll(/<tspan([^>]*)>([^<]*)<\/tspan>/g)].map((m) => [/ y="(\d+)"/.exec(m[1]!)?.[1], / x="(\d+)"/.exec(m[1]!)?.[1], m[2]]);
    expect(lines).toEqual([
      ['120', '8', 'Scenario: Lab scenario with a title long'],
      ['136', '8', 'enough to need a second line here · seed'],
      ['152', '8', '42 · wirelab 0.1.0'],
    ]);
    expect(text).toContain('fill="rgb(255, 255, 255)"');
    const first = /<svg[^>]*>(<rect[^>]*>)/.exec(text)?.[1] ?? '';
    expect(first).toContain('fill="rgb(23, 24, 28)"');
  });
});
