/**
 * Issue 13 items 1, 2, 3 and 6 through the CLI, in-process: each reproducer is refused (exit 2,
 * the field or limit named) or stopped (exit 1, the budget named and how to raise it), never an
 * internal error; user text in messages is escaped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wirelab } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'wirelab-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

const ONE_YEAR = {
  schema: 'wirelab/scenario@1',
  seed: 3,
  durationS: 31536000,
  nodes: [
    { id: 's', role: 'ws-server' },
    { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1000 }] },
  ],
};
const wsEvery = (everyMs: number, durationS: number) => ({ ...ONE_YEAR, durationS, nodes: [ONE_YEAR.nodes[0], { ...ONE_YEAR.nodes[1], send: [{ payloadBytes: 20, everyMs }] }] });

describe('item 1: runs that would exhaust memory are refused before they start', () => {
  it('refuses the one-year ws-client scenario (issue text, verbatim) with exit 2 naming durationS', async () => {
    const path = file('year.json', ONE_YEAR);
    expect(await wirelab(['run', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `wirelab run: ${path} is not a valid scenario (1 problem):\n${path}: durationS: expected a number greater than 0 and at most 86400 [limit durationS], got 31536000\n`,
    });
  });

  it('refuses everyMs 1e-300', async () => {
    const r = await wirelab(['run', file('fast.json', wsEvery(1e-300, 10))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nodes[1].send[0].everyMs: expected a number from 0.001 to 86400000 [limit millis], got 1e-300');
  });

  it('refuses a valid scenario whose estimate passes the run limits, saying which and how to raise them', async () => {
    // Every 10 ms for a day: 8,640,000 messages, 69,120,400 events.
    const path = file('day.json', wsEvery(10, 86_400));
    const r = await wirelab(['run', path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      `wirelab run: ${path} is too big to run (checked before running):`,
      `${path}: the run would carry about 8,640,000 messages (every send, times its receivers), over the limit of 500,000 [limit messages]: shorten durationS or send less often, or raise it with --max-messages N`,
      `${path}: the run would take about 69,120,400 simulator events, over the limit of 10,000,000 [limit estimatedEvents]: shorten durationS, send less often or smaller, or raise it with --max-events N`,
      // 8,640,000 x (20 payload bytes + 2 records x 160 bytes) = 2,937.6 MB; the limit is 512 MiB.
      `${path}: the run could hold about 2,938 MB of messages in memory, over the limit of 537 MB [limit heldBytes]: send fewer or smaller messages, or raise it with --memory-mb N`,
      '',
    ]);
  });

  it('refuses a sweep to durationS=31536000 before running any variant', async () => {
    const path = file('sweep-base.json', wsEvery(1000, 10));
    const r = await wirelab(['sweep', path, '--set', 'durationS=10,31536000']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${path} with durationS=31536000: durationS: expected a number greater than 0 and at most 86400 [limit durationS], got 31536000`);
  });

  it('refuses packet mqtt publish --payload-bytes 268435000 and frame ws --payload-bytes 10000000000 at once', async () => {
    expect(await wirelab(['packet', 'mqtt', 'publish', '--payload-bytes', '268435000'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'wirelab packet: --payload-bytes: expected at most 1048576 [limit printedPayloadBytes: every byte is printed], got 268435000\n',
    });
    expect(await wirelab(['frame', 'ws', '--payload-bytes', '10000000000'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'wirelab frame: --payload-bytes: expected at most 1048576 [limit printedPayloadBytes: every byte is printed], got 10000000000\n',
    });
    // The largest printable payload still takes the 64-bit length form (RFC 6455 section 5.2).
    const big = await wirelab(['frame', 'ws', '--payload-bytes', '70000', '--opcode', 'binary']);
    expect(big.code).toBe(0);
    expect(JSON.parse(big.stdout).bytes).toBe(70_000 + 10); // 2 header bytes + 8 length bytes
  });
});

describe('item 2: sweeps and sizes', () => {
  it('refuses a sweep of 10^6 combinations from the counts alone', async () => {
    const path = file('sweep.json', wsEvery(1000, 10));
    const values = Array.from({ length: 1000 }, (_, i) => i).join(',');
    const r = await wirelab(['sweep', path, '--set', `link.latencyMs=${values}`, '--set', `link.jitterMs=${values}`]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'wirelab sweep: the sweep would make 1,000,000 runs (1000 x 1000 combinations x 1 runs), over the limit of 1,000 [limit sweepRuns]: sweep fewer values, or split it into several sweeps\n',
    });
    const runs = await wirelab(['sweep', path, '--set', 'link.latencyMs=1,2', '--runs', '501']);
    expect(runs.stderr).toBe(
      'wirelab sweep: the sweep would make 1,002 runs (2 combinations x 501 runs), over the limit of 1,000 [limit sweepRuns]: sweep fewer values, or split it into several sweeps\n',
    );
  });

  it('refuses 10 GB payloads and TCP transfers of 5e9 and 1e12 bytes by field, exit 2', async () => {
    const payload = await wirelab(['run', file('payload.json', { ...wsEvery(1000, 10), nodes: [ONE_YEAR.nodes[0], { id: 'c', role: 'ws-client', send: [{ payloadBytes: 1e10, everyMs: 1000 }] }] })]);
    expect(payload.code).toBe(2);
    expect(payload.stderr).toContain('nodes[1].send[0].payloadBytes: expected an integer from 0 to 16777216 [limit payloadBytes], got 10000000000');
    for (const bytes of [5e9, 1e12]) {
      const r = await wirelab(['run', file('bulk.json', { ...ONE_YEAR, durationS: 10, nodes: [{ id: 'a', role: 'tcp-sender', to: 'b', bytes }, { id: 'b', role: 'tcp-sink' }] })]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`nodes[0].bytes: expected an integer from 1 to 268435456 [limit bulkBytes], got ${bytes}`);
    }
  });

  it('refuses a scenario file larger than 10 MB without reading it', async () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, Buffer.alloc(10_000_001, 0x20));
    expect(await wirelab(['run', path])).toEqual({
      code: 2,
      stdout: '',
      stderr: `wirelab run: cannot read ${path}: it has 10000001 bytes, more than a scenario may have (10000000) [limit fileBytes]\n`,
    });
  });
});

describe('item 3: refused by name, never an internal error', () => {
  it.each([
    ['lossPct 100 with burstLoss', { link: { lossPct: 100, burstLoss: { meanBurstPackets: 2 } } }, 'nodes[1].link.burstLoss: expected a loss the model can produce'],
    ['lossPct 60 with meanBurstPackets 1', { link: { lossPct: 60, burstLoss: { meanBurstPackets: 1 } } }, 'nodes[1].link.burstLoss: expected a loss the model can produce'],
    ['latencyMs 1e308', { link: { latencyMs: 1e308 } }, 'nodes[1].link.latencyMs: expected a number from 0 to 86400000 [limit millis], got 1e+308'],
    ['jitterMs 1e308', { link: { jitterMs: 1e308 } }, 'nodes[1].link.jitterMs: expected a number from 0 to 86400000 [limit millis], got 1e+308'],
    ['heartbeatS 1e308', { ws: { heartbeatS: 1e308 } }, 'nodes[1].ws.heartbeatS: expected a number from 0 to 86400 [limit seconds], got 1e+308'],
  ])('%s', async (_name, extra, expected) => {
    const r = await wirelab(['run', file('item3.json', { ...wsEvery(1000, 10), nodes: [ONE_YEAR.nodes[0], { ...ONE_YEAR.nodes[1], ...extra }] })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stderr).not.toContain('internal error');
  });

  it.each([
    ['a 70,000-character client id', { mqtt: { clientId: 'x'.repeat(70_000) } }, 'nodes[1].mqtt.clientId: expected a client id of at most 65535 bytes of UTF-8 [limit mqttStringBytes]'],
    ['a topic with a lone surrogate', { subscribe: [{ topic: 'a/\ud800', qos: 1 }] }, 'nodes[1].subscribe[0].topic: expected a topic filter in well-formed Unicode'],
    ['will.payloadBytes 1e10', { mqtt: { will: { topic: 'w', payloadBytes: 1e10 } } }, 'nodes[1].mqtt.will.payloadBytes: expected an integer from 0 to 65535 [limit willPayloadBytes]'],
  ])('%s', async (_name, extra, expected) => {
    const r = await wirelab(['run', file('item3m.json', { ...ONE_YEAR, durationS: 5, nodes: [{ id: 'b', role: 'mqtt-broker' }, { id: 'c', role: 'mqtt-client', ...extra }] })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
  });

  it('a 10,000-deep list in an unknown field: exit 2 naming the depth, no stack overflow', async () => {
    const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    const path = file('deep.json', `{"schema":"wirelab/scenario@1","seed":1,"durationS":5,"nodes":[{"id":"a","role":"tcp-sink","x":${deep}}]}`);
    const r = await wirelab(['run', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`wirelab run: ${path} is not a valid scenario (1 problem):\n${path}: nodes[0].x${'[0]'.repeat(29)}: expected values nested at most 32 deep [limit depth]\n`);
  });
});

describe('item 6: input hygiene', () => {
  it("sweep --set '__proto__.polluted=1' and constructor.prototype are refused; Object.prototype stays clean", async () => {
    const path = file('proto.json', wsEvery(1000, 1));
    for (const set of ['__proto__.polluted=1', 'constructor.prototype.polluted=1', 'nodes.0.__proto__.polluted=1']) {
      const r = await wirelab(['sweep', path, '--set', set]);
      expect(r.code, set).toBe(2);
      expect(r.stderr, set).toMatch(/is not a field name a scenario may have\n$/);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // An inherited name that is no field (toString) is set as an own field, so the schema names it.
    const r = await wirelab(['sweep', path, '--set', 'toString=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('toString: unknown field (check the spelling)');
  });

  it('escapes terminal escapes from a scenario file and from arguments in every message', async () => {
    const path = file('esc.json', { ...wsEvery(1000, 1), 'evil\u001b]0;owned\u0007\u001b[2J': 1 });
    const r = await wirelab(['run', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('evil\\x1b]0;owned\\x07\\x1b[2J: unknown field (check the spelling)');
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const cmd = await wirelab(['frob\u001b[31m']);
    expect(cmd.stderr.split('\n')[0]).toBe('wirelab: unknown command "frob\\x1b[31m"');
    const missing = await wirelab(['run', '/nonexistent/\u009b31m.json']);
    expect(missing.stderr).toBe('wirelab run: cannot read /nonexistent/\\x9b31m.json: no such file\n');
  });

  it("handshake ws refuses CRLF, controls and spaces in --host, --path and --protocol", async () => {
    const host = await wirelab(['handshake', 'ws', '--host', 'a\r\nX: 1']);
    expect(host).toEqual({
      code: 2,
      stdout: '',
      stderr: 'wirelab handshake: --host: expected a host name or address, optionally with :port (RFC 3986 section 3.2.2), got "a\\r\\nX: 1"\n',
    });
    expect((await wirelab(['handshake', 'ws', '--path', '/a b'])).code).toBe(2);
    expect((await wirelab(['handshake', 'ws', '--path', '/chat\nX: 1'])).code).toBe(2);
    expect((await wirelab(['handshake', 'ws', '--protocol', 'mqtt, evil'])).code).toBe(2);
    // Well-formed values still work, and the request is exactly what was asked for.
    const ok = await wirelab(['handshake', 'ws', '--host', 'broker.example:8080', '--path', '/mqtt?x=1', '--protocol', 'mqtt', '--key', 'dGhlIHNhbXBsZSBub25jZQ==']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).request.text).toMatch(/^GET \/mqtt\?x=1 HTTP\/1\.1\r\nHost: broker\.example:8080\r\n/);
  });
});

describe('budgets stop a running run with a plain message', () => {
  it('the memory budget stops a run that passed its estimate, naming the budget and how to raise it, exit 1', async () => {
    // 20,000 messages every 10 ms: the estimate (6.8 MB held) fits 8 MB, but the kept trace
    // (--trace) outgrows it: about 14 records a message (2 app, 2 ws-frame, 2 tcp-send, 4
    // link-send, 4 link-receive) of about 40 bytes in columns, 11 MB, and the heap (the probe)
    // holds more. Without --trace nothing is kept and this run fits (its metrics hold about 2 MB).
    const path = file('mem.json', wsEvery(10, 200));
    const r = await wirelab(['run', path, '--memory-mb', '8', '--trace', join(dir, 'mem-trace.csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^wirelab run: the run was stopped: the run used about \d+ MB \((heap|trace and metrics held)\), over its memory budget of 8 MB, and was stopped at t=\d+\.\d{3} s\. Raise the budget with --memory-mb N, or keep fewer packet records with --trace-limit N\.\n$/,
    );
  });

  it('the event budget stops a run that passed its estimate, exit 1', async () => {
    // A client that cannot reach its broker and retries every microsecond: the estimate (about
    // 400 events: nothing is published) passes --max-events 3000, the run stops at 2 x 3000.
    const path = file('events.json', {
      ...ONE_YEAR,
      durationS: 10,
      nodes: [
        { id: 'b', role: 'mqtt-broker' },
        { id: 'c', role: 'mqtt-client', link: { lossPct: 100 }, tcp: { maxSynRetries: 0, rtoInitial: 1 }, mqtt: { reconnect: { periodMs: 0.001 } } },
      ],
    });
    const r = await wirelab(['run', path, '--max-events', '3000']);
    expect(r.stderr).toMatch(/^wirelab run: the run was stopped: the run executed 6,000 events, its event budget, and was stopped at t=\d+\.\d{3} s: a runaway model, or a run too big for one go\. Raise the budget with --max-events N \(it allows 2N\), or shorten the run\.\n$/);
    expect(r.code).toBe(1);
  });
});
