import { describe, expect, it } from 'vitest';
import { sameMomentOffsets, sequenceChart, sequenceKeyTarget, sequenceSummary, sequenceTable, type SequenceLane, type SequenceMessage } from '../../src/charts/sequence.ts';
import { testDocument } from './dom.ts';

const lanes: SequenceLane[] = [ { id: 'c', label: 'client' }, { id: 's', label: 'server' } ];
const messages: SequenceMessage[] = [
  { id: 'm1', from: 'c', to: 's', sentMs: 0, arrivedMs: 25, label: 'SYN', bytes: 60, layer: 'tcp' },
  { id: 'm2', from: 's', to: 'c', sentMs: 25, arrivedMs: 50, label: 'SYN-ACK', bytes: 60, layer: 'tcp' },
  { id: 'm3', from: 'c', to: 's', sentMs: 50, arrivedMs: 75.5, label: 'CONNECT', bytes: 78, layer: 'mqtt' },
];

describe('sequenceChart', () => {
  it('draws only the packets up to the current step, each as a focusable button named in words', () => {
    const svg = sequenceChart(lanes, messages, { visibleCount: 2 }, { document: testDocument() });
    const groups = [...svg.querySelectorAll('g.msg')];
    expect(groups.map((g) => g.getAttribute('data-id'))).toEqual(['m1', 'm2']);
    expect(groups[1]!.getAttribute('tabindex')).toBe('0');
    expect(groups[1]!.getAttribute('role')).toBe('button');
    // The accessible name starts with the visible label (WCAG 2.5.3, label in name).
    expect(groups[1]!.getAttribute('aria-label')).toBe('TCP SYN-ACK · 60 B: packet 2, SYN-ACK, TCP, server to client, 60 bytes, sent at 25 ms, arrived at 50 ms');
    expect(svg.getAttribute('role')).toBe('group');
    expect(svg.querySelector('desc')!.textContent).toBe('Step 2 of 3: SYN-ACK arrives at 50 ms; 120 bytes on the wire so far.');
  });

  it('marks the selected packet without relying on colour (pressed state, thicker line, bold label)', () => {
    const svg = sequenceChart(lanes, messages, { selectedId: 'm3' }, { document: testDocument() });
    const selected = svg.querySelector('g.msg.selected')!;
    expect(selected.getAttribute('data-id')).toBe('m3');
    expect(selected.getAttribute('aria-pressed')).toBe('true');
    expect(selected.querySelector('text')!.getAttribute('font-weight')).toBe('bold');
    expect(selected.querySelector('text')!.textContent).toBe('MQTT CONNECT · 78 B');
    expect(svg.querySelectorAll('g.msg[aria-pressed="false"]').length).toBe(2);
  });

  it('gives packets that leave one lane at the same moment an arrow and a label each, 18 px apart', () => {
    const same: SequenceMessage[] = [
      { id: 'a', from: 'c', to: 's', sentMs: 10, arrivedMs: 20, label: 'ACK', bytes: 52, layer: 'tcp' },
      { id: 'b', from: 'c', to: 's', sentMs: 10, arrivedMs: 20, label: 'GET', bytes: 300, layer: 'http' },
      { id: 'c', from: 's', to: 'c', sentMs: 10, arrivedMs: 20, label: 'FIN', bytes: 52, layer: 'tcp' },
    ];
    expect(sameMomentOffsets(same)).toEqual([0, 18, 0]); // the server's packet leaves another lane
    const svg = sequenceChart(lanes, same, {}, { document: testDocument() });
    const arrows = [...svg.querySelectorAll('g.msg')].map((g) => g.querySelectorAll('line')[1]!);
    const ys = arrows.map((l) => [Number(l.getAttribute('y1')), Number(l.getAttribute('y2'))]);
    expect([ys[1]![0]! - ys[0]![0]!, ys[1]![1]! - ys[0]![1]!, ys[2]![0]! - ys[0]![0]!]).toEqual([18, 18, 0]);
    const labels = [...svg.querySelectorAll('g.msg text')].map((t) => Number(t.getAttribute('y')));
    expect(labels[1]! - labels[0]!).toBe(18);
    // Each arrow's hit area (14 px) is narrower than the gap, so each stays clickable on its own.
    expect(svg.querySelectorAll('g.msg')[1]!.querySelector('line')!.getAttribute('stroke-width')).toBe('14');
  });

  it('is one tab stop (the selected packet, else the newest shown) and the arrow keys move between packets', () => {
    const svg = sequenceChart(lanes, messages, { selectedId: 'm1' }, { document: testDocument() });
    expect([...svg.querySelectorAll('g.msg')].map((g) => g.getAttribute('tabindex'))).toEqual(['0', '-1', '-1']);
    expect(sequenceKeyTarget(messages, 3, 'm1', 'ArrowDown')).toBe('m2');
    expect(sequenceKeyTarget(messages, 3, 'm2', 'ArrowRight')).toBe('m3');
    expect(sequenceKeyTarget(messages, 3, 'm3', 'ArrowDown')).toBe('m3'); // stays on the last
    expect(sequenceKeyTarget(messages, 3, 'm2', 'ArrowUp')).toBe('m1');
    expect(sequenceKeyTarget(messages, 2, 'm1', 'End')).toBe('m2'); // only packets shown so far
    expect(sequenceKeyTarget(messages, 3, 'm3', 'Home')).toBe('m1');
    expect(sequenceKeyTarget(messages, 3, null, 'ArrowUp')).toBe('m3');
    expect(sequenceKeyTarget(messages, 3, 'm1', 'Enter')).toBeNull();
    expect(sequenceKeyTarget(messages, 0, null, 'ArrowDown')).toBeNull();
  });

  it('keeps a long label inside a phone-width drawing', () => {
    const long: SequenceMessage[] = [{ id: 'x', from: 'c', to: 's', sentMs: 0, arrivedMs: 25, label: 'HTTP/1.1 101 Switching Protocols', bytes: 129, layer: 'http' }];
    const svg = sequenceChart(lanes, long, { width: 358 }, { document: testDocument() });
    const label = svg.querySelector('g.msg text')!;
    // "HTTP HTTP/1.1 101 Switching Protocols · 129 B" is 45 characters, about 45 * 6.6 = 297 px:
    // centred between the lanes (96 and 294: 195) it would run from 46.5 to 343.5, over the time
    // axis (its line at 56, the narrow margin): it starts at the axis line instead.
    const half = (45 * 6.6) / 2;
    expect(Number(label.getAttribute('x')) - half).toBeCloseTo(56, 6);
    expect(Number(label.getAttribute('x')) + half).toBeLessThanOrEqual(358 - 4);
  });

  it('draws an arrow that goes down the page from sender lane to receiver lane', () => {
    const svg = sequenceChart(lanes, messages, { width: 400, height: 300 }, { document: testDocument() });
    const line = svg.querySelectorAll('g.msg')[1]!.querySelectorAll('line')[1]!;
    const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((a) => Number(line.getAttribute(a)));
    expect(x1).toBeGreaterThan(x2!); // server lane is to the right, the packet goes left
    expect(y2).toBeGreaterThan(y1!);
  });
});

describe('sequenceTable and sequenceSummary', () => {
  it('lists every packet with lane labels', () => {
    expect(sequenceTable(lanes, messages).rows).toEqual([
      [1, 'SYN', 'TCP', 'client', 'server', 0, 25, 60],
      [2, 'SYN-ACK', 'TCP', 'server', 'client', 25, 50, 60],
      [3, 'CONNECT', 'MQTT', 'client', 'server', 50, 75.5, 78],
    ]);
  });
  it('says nothing was sent at step 0', () => {
    expect(sequenceSummary(messages, 0)).toBe('Step 0 of 3: nothing sent yet.');
    expect(sequenceSummary([])).toBe('No packets yet.');
  });
});
