import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FLOW_COLUMNS } from '../../simulator/cli/result.ts';
import { wirelab } from './helpers.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { expectFlowsMatchRoles } from '../support/flow-counts.ts';

const root = new URL('../../', import.meta.url).pathname;
const TCP = join(root, 'scenarios/examples/tcp-small.json');
const dir = mkdtempSync(join(tmpdir(), 'wirelab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenarioFile(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

describe('wirelab usage', () => {
  it('prints usage and exits 2 without a command or with an unknown one', async () => {
    const none = await wirelab([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^usage: wirelab COMMAND/);
    const unknown = await wirelab(['frob']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('wirelab: unknown command "frob"');
    expect(unknown.stdout).toBe('');
  });

  it('lists the commands with --help and shows one command with COMMAND --help', async () => {
    const help = await wirelab(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}run {2,}run a scenario/m);
    expect(help.stdout).toMatch(/^ {2}sweep {2,}/m);
    const run = await wirelab(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: wirelab run SCENARIO.json \[--seed N\]/);
  });

  it('rejects unknown options and bad option values with exit 2', async () => {
    const r = await wirelab(['run', TCP, '--sed', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wirelab run: Unknown option '--sed'/);
    expect((await wirelab(['run', TCP, '--format', 'xml'])).stderr).toBe('wirelab run: --format: expected one of json, csv, got "xml"\n');
    expect((await wirelab(['run', TCP, '--seed=-1'])).stderr).toBe('wirelab run: --seed: expected an integer of at least 0, got "-1"\n');
    expect((await wirelab(['run', TCP, '--seed', '1.5'])).stderr).toBe('wirelab run: --seed: expected an integer of at least 0, got "1.5"\n');
    expect((await wirelab(['run'])).code).toBe(2);
  });

  it('sends decode to its protocol registry', async () => {
    const r = await wirelab(['decode', 'nosuch', '00']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('wirelab decode: unknown protocol "nosuch"');
  });

  it('prints the JSON Schema that docs/scenario.schema.json holds', async () => {
    const r = await wirelab(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(root, 'docs/scenario.schema.json'), 'utf8'));
  });
});

describe('wirelab run: bad files', () => {
  it('names every problem of an invalid scenario, one line each, exit 2', async () => {
    const path = scenarioFile('bad.json', {
      schema: 'wirelab/scenario@1',
      seed: 1,
      durationS: 5,
      nodes: [
        { id: 'a', role: 'tcp-sender', to: 'b', bytes: 'x', link: { lossPct: 'five' } },
        { id: 'b', role: 'tcp-snk' },
      ],
    });
    const r = await wirelab(['run', path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `wirelab run: ${path} is not a valid scenario (3 problems):`,
      `${path}: nodes[0].link.lossPct: expected a number from 0 to 100, got "five"`,
      `${path}: nodes[0].bytes: expected an integer from 1 to 268435456 [limit bulkBytes], got "x"`,
      `${path}: nodes[1].role: expected a role: one of mqtt-broker, mqtt-client, ws-server, ws-client, tcp-sender, tcp-sink, balancer, got "tcp-snk"`,
    ]);
  });

  it('refuses a topic the MQTT client would reject, naming the field (the schema uses the engine\'s own check), exit 2', async () => {
    // A topic name with a wildcard: the schema asks topics.ts, as the mqtt-client role does.
    const path = scenarioFile('topic.json', {
      schema: 'wirelab/scenario@1',
      seed: 1,
      durationS: 5,
      nodes: [
        { id: 'b', role: 'mqtt-broker' },
        { id: 'c', role: 'mqtt-client', publish: [{ topic: 'a/#', qos: 0, payloadBytes: 10, everyMs: 500 }] },
      ],
    });
    const r = await wirelab(['run', path]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `wirelab run: ${path} is not a valid scenario (1 problem):\n` +
        `${path}: nodes[1].publish[0].topic: expected a topic name: topic name "a/#" contains a wildcard (+ or #), which only filters may use [MQTT-3.3.2-2]\n`,
    });
  });

  it('says clearly when the file is missing or not JSON', async () => {
    const missing = join(dir, 'missing.json');
    expect(await wirelab(['run', missing])).toEqual({ code: 2, stdout: '', stderr: `wirelab run: cannot read ${missing}: no such file\n` });
    const notJson = scenarioFile('not.json', '{"schema": ');
    const r = await wirelab(['run', notJson]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^wirelab run: ${notJson} is not valid JSON: .+\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('wirelab run on a small TCP scenario', () => {
  it('prints wirelab/result@1 JSON with the flow and its links', async () => {
    const r = await wirelab(['run', TCP]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout);
    expect(Object.keys(result)).toEqual(['schema', 'scenario', 'seed', 'flows', 'links']);
    expect(result.schema).toBe('wirelab/result@1');
    expect(result.seed).toBe(3);
    expect(result.scenario.nodes.map((n: { id: string }) => n.id)).toEqual(['a', 'b']);
    expect(result.flows).toHaveLength(1);
    const [flow] = result.flows;
    expect(flow).toMatchObject({ flow: 'tcp:a->b:5001', protocol: 'tcp', from: 'a', to: 'b', sent: 1, delivered: 1, lost: 0, inFlight: 0, appBytes: 100000 });
    // The drop list removes exactly one of a's packets: one retransmission.
    expect(flow.retransmissions).toBe(1);
    expect(flow.completionS).toBeGreaterThan(0);
    expect(flow.goodputKbps).toBeCloseTo((100000 * 8) / 1000 / flow.completionS, 6);
    expect(flow.latencyMs.max).toBeCloseTo(flow.completionS * 1000, 6);
    expect(result.links.map((l: { link: string }) => l.link)).toEqual(['a->core', 'b->core', 'core->a', 'core->b']);
    const up = result.links[0];
    expect(up.dropsByReason['list-loss']).toBe(1);
    expect(up.dropped).toBe(1);
    // Wire bytes of the flow are everything a and b put on their uplinks.
    expect(flow.wireBytes).toBe(result.links[0].bytes + result.links[1].bytes);
    expect(flow.wireBytes).toBeGreaterThan(100000);
  });

  it('is byte-identical when repeated, in-process and in a fresh process', async () => {
    const first = await wirelab(['run', TCP]);
    const second = await wirelab(['run', TCP]);
    expect(second.stdout).toBe(first.stdout);
    const child = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'bin/wirelab.mjs'), 'run', TCP], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout).toBe(first.stdout);
  }, 60_000);

  it('uses --seed instead of the scenario seed', async () => {
    const r = await wirelab(['run', TCP, '--seed', '42']);
    expect(JSON.parse(r.stdout).seed).toBe(42);
    expect(JSON.parse(r.stdout).scenario.seed).toBe(3);
  });

  it('writes CSV with one row per flow, to --out, and the trace with one row per record', async () => {
    const out = join(dir, 'flows.csv');
    const trace = join(dir, 'trace.csv');
    const r = await wirelab(['run', TCP, '--format', 'csv', '--out', out, '--trace', trace]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(FLOW_COLUMNS.join(','));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^tcp:a->b:5001,tcp,a,b,,,1,1,0,0,0,/);

    const json = JSON.parse((await wirelab(['run', TCP])).stdout);
    const traceLines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    expect(traceLines[0]).toMatch(/^t,kind,node,link,conn,flow,packet,msg,bytes,reason,/);
    const linkSends = traceLines.filter((l) => l.split(',')[1] === 'link-send').length;
    expect(linkSends).toBe(json.links.reduce((n: number, l: { segmentsSent: number }) => n + l.segmentsSent, 0));
    expect(traceLines.filter((l) => l.split(',')[1] === 'app-deliver')).toHaveLength(1);
  });

  it('measures the whole run with --trace-limit: only the trace file is cut, and it says so', async () => {
    const full = JSON.parse((await wirelab(['run', TCP])).stdout);
    const tracePath = join(dir, 'limited-trace.csv');
    const r = await wirelab(['run', TCP, '--trace', tracePath, '--trace-limit', '100']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wirelab run: note: the trace file holds the newest 100 packet records; \d+ older ones were let go \(--trace-limit\); the metrics count them all\n$/);
    const limited = JSON.parse(r.stdout);
    // The metrics are reduced while the run goes, so every figure, wireBytes and the link counts
    // included, is the full run's (before, they covered only the kept records).
    expect(limited).toEqual(full);
    const rows = readFileSync(tracePath, 'utf8').trimEnd().split('\n').slice(1);
    const packetRows = rows.filter((line) => !/^\d+(\.\d+)?,(flow|app-send|app-deliver|app-lost),/.test(line));
    expect(packetRows).toHaveLength(100);
  });

  it('draws a progress bar on stderr only when it is a terminal', async () => {
    const tty = await wirelab(['run', TCP], { tty: true });
    expect(tty.stderr).toContain('100%');
    expect(tty.stderr.endsWith('\r\x1b[2K')).toBe(true);
    const piped = await wirelab(['run', TCP]);
    expect(piped.stderr).toBe('');
    expect(tty.stdout).toBe(piped.stdout);
  });
});

describe('wirelab run on every example scenario', () => {
  const examples = readdirSync(join(root, 'scenarios/examples')).filter((f) => f.endsWith('.json'));
  it.each(examples)('%s runs and its flows add up', async (file) => {
    const r = await wirelab(['run', join(root, 'scenarios/examples', file)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.flows.length).toBeGreaterThan(0);
    // The CLI's counts are the roles' own records of the same run, made here in-process.
    const parsed = parseScenario(JSON.parse(readFileSync(join(root, 'scenarios/examples', file), 'utf8')));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expectFlowsMatchRoles(runScenario(parsed.scenario).trace, result.flows);
    for (const f of result.flows) expect(f.wireBytes).toBeGreaterThan(0);
  }, 60_000); // mqtt-qos1-backlog takes 2-3 s alone, over 5 s on this shared 2-core machine
});

describe('wirelab sweep', () => {
  it('runs the cartesian product: one row per run and flow, with the swept values, run index and seed', async () => {
    const r = await wirelab(['sweep', TCP, '--set', 'link.lossPct=0,2', '--set', 'nodes.a.bytes=10000,20000,30000', '--runs', '2', '--seed', '10']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(['link.lossPct', 'nodes.a.bytes', 'run', 'seed', ...FLOW_COLUMNS].join(','));
    expect(lines).toHaveLength(1 + 2 * 3 * 2);
    const cells = lines.slice(1).map((l) => l.split(','));
    expect(cells.map((c) => c.slice(0, 4).join(','))).toEqual([
      '0,10000,0,10', '0,10000,1,11', '0,20000,0,10', '0,20000,1,11', '0,30000,0,10', '0,30000,1,11',
      '2,10000,0,10', '2,10000,1,11', '2,20000,0,10', '2,20000,1,11', '2,30000,0,10', '2,30000,1,11',
    ]);
    // appBytes follows the swept transfer size.
    const appBytes = FLOW_COLUMNS.indexOf('appBytes') + 4;
    expect(cells.map((c) => c[appBytes])).toEqual(['10000', '10000', '20000', '20000', '30000', '30000', '10000', '10000', '20000', '20000', '30000', '30000']);
    // Each row matches a single run with the same settings and seed.
    const again = await wirelab(['sweep', TCP, '--set', 'link.lossPct=0,2', '--set', 'nodes.a.bytes=10000,20000,30000', '--runs', '2', '--seed', '10']);
    expect(again.stdout).toBe(r.stdout);
  });

  it('rejects a value that makes the scenario invalid before running anything, and a bad path', async () => {
    const bad = await wirelab(['sweep', TCP, '--set', 'link.lossPct=0,200']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trimEnd().split('\n')).toEqual([
      `wirelab sweep: ${TCP} with link.lossPct=200 is not a valid scenario (1 problem):`,
      `${TCP} with link.lossPct=200: defaults.link.lossPct: expected a number from 0 to 100, got 200`,
    ]);
    const path = await wirelab(['sweep', TCP, '--set', 'nodes.zz.bytes=1']);
    expect(path).toEqual({ code: 2, stdout: '', stderr: 'wirelab sweep: --set nodes.zz.bytes: nodes has no element "zz" (neither an index nor a node id)\n' });
    const noEq = await wirelab(['sweep', TCP, '--set', 'link.lossPct']);
    expect(noEq.stderr).toBe('wirelab sweep: --set link.lossPct: expected PATH=VALUE[,VALUE...], e.g. link.lossPct=0,1,5\n');
  });
});
