import { describe, expect, it } from 'vitest';
import { SweepError, applySet, cartesian, parseSet } from '../../simulator/scenarios/sweep.ts';

const scenario = {
  schema: 'wirelab/scenario@1',
  seed: 1,
  durationS: 10,
  nodes: [
    { id: 'a', role: 'tcp-sender', to: 'b', bytes: 1000 },
    { id: 'b', role: 'tcp-sink', link: { latencyMs: 5 } },
  ],
};

describe('sweep parameters', () => {
  it('reads paths and JSON values; link. means defaults.link.', () => {
    expect(parseSet('link.lossPct=0,1.5,10')).toEqual({ name: 'link.lossPct', path: ['defaults', 'link', 'lossPct'], values: [0, 1.5, 10] });
    expect(parseSet('nodes[1].link.latencyMs=5')).toEqual({ name: 'nodes[1].link.latencyMs', path: ['nodes', '1', 'link', 'latencyMs'], values: [5] });
    expect(parseSet('nodes.x.mqtt.version="5",3.1.1,true').values).toEqual(['5', '3.1.1', true]);
    expect(() => parseSet('=1')).toThrow(SweepError);
    expect(() => parseSet('a..b=1')).toThrow('--set a..b: expected a path like defaults.link.lossPct');
    expect(() => parseSet('a=')).toThrow('--set a: expected at least one value after "="');
  });

  it('expands the cartesian product, first parameter slowest', () => {
    expect(cartesian([parseSet('a=1,2'), parseSet('b=x,y,z')])).toEqual([
      [1, 'x'], [1, 'y'], [1, 'z'], [2, 'x'], [2, 'y'], [2, 'z'],
    ]);
    expect(cartesian([])).toEqual([[]]);
  });

  it('sets values by index or node id, creating objects on the way, without touching the original', () => {
    const byId = applySet(scenario, parseSet('nodes.b.link.latencyMs=9'), 9) as typeof scenario;
    expect(byId.nodes[1]!.link).toEqual({ latencyMs: 9 });
    const created = applySet(scenario, parseSet('link.lossPct=1'), 1) as Record<string, unknown>;
    expect(created['defaults']).toEqual({ link: { lossPct: 1 } });
    const byIndex = applySet(scenario, parseSet('nodes.0.up.lossPct=3'), 3) as { nodes: { up?: unknown }[] };
    expect(byIndex.nodes[0]!.up).toEqual({ lossPct: 3 });
    expect(scenario.nodes[1]!.link).toEqual({ latencyMs: 5 });
    expect(scenario).not.toHaveProperty('defaults');
  });

  it('names the part of a path that does not exist', () => {
    expect(() => applySet(scenario, parseSet('nodes.7.bytes=1'), 1)).toThrow('--set nodes.7.bytes: nodes has no element "7" (neither an index nor a node id)');
    expect(() => applySet(scenario, parseSet('seed.x=1'), 1)).toThrow('--set seed.x: seed is not an object');
  });
});
