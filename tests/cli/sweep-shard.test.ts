/**
 * `wirelab sweep --jobs N` and `--shard K/N` + `wirelab sweep-merge`: the CSV is the same bytes
 * whatever the jobs and the sharding (issue 12), and merging refuses what does not make one sweep.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wirelab } from './helpers.ts';

const root = new URL('../../', import.meta.url).pathname;
const TCP = join(root, 'scenarios/examples/tcp-small.json');
const dir = mkdtempSync(join(tmpdir(), 'wirelab-shard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 2 x 3 combinations x 2 runs = 12 runs, one flow each.
const SWEEP = ['sweep', TCP, '--set', 'link.lossPct=0,5', '--set', 'link.latencyMs=5,20,40', '--runs', '2', '--seed', '7'];

async function shard(k: number, n: number, extra: string[] = []): Promise<string> {
  const out = join(dir, `part-${k}-of-${n}${extra.join('')}.json`);
  const r = await wirelab([...SWEEP, '--shard', `${k}/${n}`, '--out', out, '--jobs', '1', ...extra]);
  expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  return out;
}

describe('wirelab sweep in parallel and in shards', () => {
  it('writes the same bytes with one job, with worker threads, and merged from shards in any order', async () => {
    const serial = await wirelab([...SWEEP, '--jobs', '1']);
    expect(serial.code).toBe(0);
    const lines = serial.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(13); // header + 12 runs x 1 flow
    expect(lines[0]!.startsWith('link.lossPct,link.latencyMs,run,seed,flow,')).toBe(true);
    // Row order: first --set slowest, then latency, then run: (0,5,0), (0,5,1), (0,20,0) ...
    expect(lines.slice(1, 4).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(['0,5,0,7', '0,5,1,8', '0,20,0,7']);
    // The runs differ (else equal bytes would prove little): latency moves the flow's p50.
    expect(new Set(lines.slice(1).map((l) => l.split(',').slice(4).join(','))).size).toBeGreaterThan(6);

    const threads = await wirelab([...SWEEP, '--jobs', '3']);
    expect(threads.stderr).toBe('');
    expect(threads.stdout).toBe(serial.stdout);

    for (const n of [1, 3, 5]) {
      const parts = [];
      for (let k = n; k >= 1; k--) parts.push(await shard(k, n));
      const merged = await wirelab(['sweep-merge', ...parts]);
      expect(merged.stderr).toBe('');
      expect(merged.stdout).toBe(serial.stdout);
    }
    // Shard 2 of 5 holds runs 1, 6 and 11 (run numbers k-1, k-1+5, ...).
    const two = JSON.parse(readFileSync(join(dir, 'part-2-of-5.json'), 'utf8')) as { rows: [number, string][]; shard: string; runs: number };
    expect(two.rows.map(([run]) => run)).toEqual([1, 6, 11]);
    expect(two.shard).toBe('2/5');
    expect(two.runs).toBe(12);
    // A shard run on worker threads writes the same file.
    const threaded = join(dir, 'part-2-of-5-threads.json');
    expect(await wirelab([...SWEEP, '--shard', '2/5', '--out', threaded, '--jobs', '2'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(threaded, 'utf8')).toBe(readFileSync(join(dir, 'part-2-of-5.json'), 'utf8'));
  });

  it('refuses shards that do not make one whole sweep, saying why', async () => {
    const one = await shard(1, 3);
    const two = await shard(2, 3);
    const three = await shard(3, 3);
    expect((await wirelab(['sweep-merge', one, three])).stderr).toBe('wirelab sweep-merge: shard 2/3 missing: merge needs every shard of the sweep\n');
    expect((await wirelab(['sweep-merge', one, two, two, three])).stderr).toBe(`wirelab sweep-merge: ${two} and ${two} are both shard 2/3\n`);
    const otherSeed = join(dir, 'other.json');
    await wirelab([...SWEEP, '--seed', '8', '--shard', '2/3', '--out', otherSeed, '--jobs', '1']);
    const mixed = await wirelab(['sweep-merge', one, otherSeed, three]);
    expect(mixed).toEqual({ code: 2, stdout: '', stderr: `wirelab sweep-merge: ${otherSeed} is a shard of another sweep than ${one} (a different scenario, --set, --runs or --seed)\n` });
    expect((await wirelab(['sweep-merge', TCP])).stderr).toBe(
      `wirelab sweep-merge: ${TCP} is not a sweep shard (wirelab/sweep-shard@1, written by wirelab sweep --shard K/N --out FILE)\n`,
    );
    for (const bad of ['0/3', '4/3', 'a/b', '1/0']) {
      expect((await wirelab([...SWEEP, '--shard', bad])).stderr).toBe(`wirelab sweep: --shard ${bad}: expected K/N with 1 <= K <= N, e.g. --shard 2/4 (the second of four shards)\n`);
    }
  });
});
