import { describe, expect, it } from 'vitest';
import { sequenceChart, sequenceSummary, sequenceTable, type SequenceLane, type SequenceMessage } from '../../src/charts/sequence.ts';
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

  it('stacks the labels of packets that leave the same lane at the same moment', () => {
    const same: SequenceMessage[] = [
      { id: 'a', from: 'c', to: 's', sentMs: 10, arrivedMs: 20, label: 'ACK', bytes: 52, layer: 'tcp' },
      { id: 'b', from: 'c', to: 's', sentMs: 10, arrivedMs: 20, label: 'GET', bytes: 300, layer: 'http' },
    ];
    const svg = sequenceChart(lanes, same, {}, { document: testDocument() });
    const ys = [...svg.querySelectorAll('g.msg text')].map((t) => Number(t.getAttribute('y')));
    expect(ys[1]! - ys[0]!).toBe(14);
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
