import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, scenarioJsonSchema } from '../../simulator/scenarios/schema.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8')) as unknown;
const sensors = () => read('scenarios/examples/sensors.json') as Record<string, any>;

function errorsOf(json: unknown): string[] {
  const result = parseScenario(json);
  if (result.ok) throw new Error('expected the scenario to be rejected');
  return result.errors;
}

describe('scenario schema wirelab/scenario@1', () => {
  it('accepts every example scenario', () => {
    const files = readdirSync(new URL('scenarios/examples/', root)).filter((f) => f.endsWith('.json'));
    expect(files).toContain('sensors.json');
    for (const file of files) expect(parseScenario(read(`scenarios/examples/${file}`)), file).toMatchObject({ ok: true });
  });

  it('keeps the issue 2 example as given, with options other engineers may add passed through', () => {
    const s = sensors();
    s.nodes[1].mqtt.receiveMaximum = 10;
    s.nodes[4].ws = { heartbeatS: 5 };
    const result = parseScenario(s);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.scenario.nodes[1]).toMatchObject({ id: 'sensor-1', mqtt: { version: '3.1.1', keepaliveS: 10, receiveMaximum: 10 } });
    expect(result.scenario.nodes[4]).toMatchObject({ ws: { heartbeatS: 5 } });
    expect(result.scenario.defaults?.link).toEqual({ latencyMs: 25, jitterMs: 0, lossPct: 0, bandwidthKbps: 10000 });
  });

  it('names the field, what was expected and what was found', () => {
    const s = sensors();
    s.nodes[1].link.lossPct = 'five';
    expect(errorsOf(s)).toEqual(['nodes[1].link.lossPct: expected a number from 0 to 100, got "five"']);
  });

  it('reports one line per problem', () => {
    const s = sensors();
    delete s.durationS;
    s.seed = -1;
    s.defaults.link.latncyMs = 3;
    s.nodes[1].publish[0].qos = 3;
    s.nodes[2].role = 'mqtt-clinet';
    s.nodes[1].link.outages[0].forS = 0;
    s.nodes.push(5);
    expect(errorsOf(s)).toEqual([
      'seed: expected an integer from 0 to 4294967295 [limit seed], got -1',
      'durationS: missing (expected a number greater than 0 and at most 86400 [limit durationS])',
      'defaults.link.latncyMs: unknown field (check the spelling)',
      'nodes[1].link.outages[0].forS: expected a number greater than 0 and at most 86400 [limit seconds], got 0',
      'nodes[1].publish[0].qos: expected QoS 0, 1 or 2, got 3',
      'nodes[2].role: expected a role: one of mqtt-broker, mqtt-client, ws-server, ws-client, tcp-sender, tcp-sink, balancer, got "mqtt-clinet"',
      'nodes[5]: expected a node: an object with "id" and "role", got 5',
    ]);
  });

  it('rejects what is not a scenario at all', () => {
    expect(errorsOf(null)).toEqual(['(scenario): expected a scenario: a JSON object, got null']);
    expect(errorsOf({})).toEqual([
      'schema: missing (expected "wirelab/scenario@1")',
      'seed: missing (expected an integer from 0 to 4294967295 [limit seed])',
      'durationS: missing (expected a number greater than 0 and at most 86400 [limit durationS])',
      'nodes: missing (expected a list of nodes)',
    ]);
    expect(errorsOf({ ...sensors(), schema: 'wirelab/scenario@2' })).toEqual([
      'schema: expected "wirelab/scenario@1", got "wirelab/scenario@2"',
    ]);
    expect(errorsOf({ ...sensors(), nodes: [] })).toEqual(['nodes: expected at least one node, got a list']);
  });

  it('checks rules across fields', () => {
    const scenario = {
      schema: 'wirelab/scenario@1',
      seed: 1,
      durationS: 10,
      nodes: [
        { id: 'a', role: 'tcp-sender', to: 'b', bytes: 1000, port: 80 },
        { id: 'b', role: 'tcp-sink' },
        { id: 'b', role: 'mqtt-client', link: { outages: [{ atS: 12, forS: 1 }] } },
        { id: 'c', role: 'tcp-sender', to: 'nobody', bytes: 1 },
        { id: 'w', role: 'ws-client', send: [{ payloadBytes: 1, everyMs: 10, to: 'a', startS: 5, stopS: 2 }] },
      ],
    };
    expect(errorsOf(scenario)).toEqual([
      'nodes[2].id: duplicate node id "b"',
      'nodes[0].port: expected the port tcp-sink "b" listens on (5001), got 80',
      'nodes[2].role: an mqtt-client needs an mqtt-broker node in the scenario, found none',
      'nodes[2].link.outages[0].atS: expected a time before the end of the run (durationS 10), got 12',
      'nodes[3].to: expected the id of a tcp-sink node, got "nobody" (no node has that id)',
      'nodes[4].role: a ws-client needs a ws-server node in the scenario, found none',
      'nodes[4].send[0].stopS: expected stopS to be at least startS (5), got 2',
      'nodes[4].send[0].to: expected the id of a ws-server or balancer node, got "a" (a tcp-sender)',
    ]);
  });

  it("checks that an mqtt-client's broker names an mqtt-broker", () => {
    const s = sensors();
    s.nodes[2].broker = 'server';
    expect(errorsOf(s)).toEqual(['nodes[2].broker: expected the id of an mqtt-broker node, got "server" (a ws-server)']);
    s.nodes[2].broker = 'broker';
    expect(parseScenario(s).ok).toBe(true);
  });

  it('asks which server when a ws-client has several to choose from', () => {
    const s = sensors();
    s.nodes.push({ id: 'server-2', role: 'ws-server' });
    expect(errorsOf(s)).toEqual(['nodes[4].send[0].to: expected the id of a ws-server: there are 2 (server, server-2)']);
  });

  it('validates link details: burst loss, drop lists, MTU', () => {
    const s = sensors();
    s.nodes[0].up = { burstLoss: { p: 0.1 }, dropList: [0, 1.5], mtuBytes: 20 };
    s.nodes[0].down = { burstLoss: {} };
    expect(errorsOf(s)).toEqual([
      'nodes[0].up.burstLoss.r: expected both p and r for the classic Gilbert-Elliott model',
      'nodes[0].up.mtuBytes: expected an integer from 68 to 65535, got 20',
      'nodes[0].up.dropList[1]: expected an integer from 0 to 1000000 [limit count], got 1.5',
      'nodes[0].down.burstLoss.meanBurstPackets: expected meanBurstPackets, or p and r',
    ]);
  });
});

describe('docs/scenario.schema.json', () => {
  it('is current (regenerate with: npx wirelab schema > docs/scenario.schema.json)', () => {
    const committed = readFileSync(new URL('docs/scenario.schema.json', root), 'utf8');
    expect(committed).toBe(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  });
});
