/**
 * One shard of a sweep, and putting shards back together (`wirelab sweep --shard K/N`,
 * `wirelab sweep-merge`).
 *
 * A sweep's runs are numbered in the order the unsharded sweep writes them (combination by
 * combination, run by run); shard K of N (K from 1) takes runs K-1, K-1+N, K-1+2N, ... (dealt
 * round-robin, so each shard gets a share of every combination, cheap and dear). A shard file
 * is JSON, `wirelab/sweep-shard@1`: which sweep it belongs to (`sweep`, a SHA-256 of the
 * scenario, the --set values, --runs and the seed), `shard` "K/N", `runs` (the whole sweep's), the
 * CSV header, and for each of its runs the CSV text of its rows. Merging checks the shards belong
 * to one sweep, that every shard 1..N is there once, and writes the header and every run's rows
 * in run order: byte for byte what the unsharded sweep writes (d3-dsv formats each row on its
 * own: ./result.ts csvBody).
 */
import { createHash } from 'node:crypto';
import { CliError } from './io.ts';
import { joinCsv } from './result.ts';
import { readJsonFile } from './scenario-file.ts';

export const SHARD_SCHEMA_ID = 'wirelab/sweep-shard@1';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface ShardFile {
  schema: typeof SHARD_SCHEMA_ID;
  sweep: string;
  shard: string;
  runs: number;
  header: string;
  /** [run number, CSV rows of that run (no trailing newline; '' when it had no flow)]. */
  rows: [number, string][];
}

/** Parses `K/N` (1 <= K <= N). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new CliError(`--shard ${text}: expected K/N with 1 <= K <= N, e.g. --shard 2/4 (the second of four shards)`);
  }
  return { index, count };
}

/** Whether run number `run` belongs to `shard`. */
export function inShard(run: number, shard: Shard): boolean {
  return run % shard.count === shard.index - 1;
}

/** Names one sweep: the same file contents, --set values, --runs and seed give the same id. */
export function sweepId(scenarioJson: unknown, sets: readonly string[], runs: number, seed: number): string {
  return createHash('sha256').update(JSON.stringify({ scenario: scenarioJson, sets, runs, seed })).digest('hex');
}

export function shardJson(file: ShardFile): string {
  return `${JSON.stringify(file)}\n`;
}

function readShard(path: string): ShardFile {
  const json = readJsonFile(path) as Partial<ShardFile> | null;
  const ok =
    json !== null &&
    typeof json === 'object' &&
    json.schema === SHARD_SCHEMA_ID &&
    typeof json.sweep === 'string' &&
    typeof json.shard === 'string' &&
    Number.isSafeInteger(json.runs) &&
    typeof json.header === 'string' &&
    Array.isArray(json.rows) &&
    json.rows.every((r) => Array.isArray(r) && r.length === 2 && Number.isSafeInteger(r[0]) && typeof r[1] === 'string');
  if (!ok) throw new CliError(`${path} is not a sweep shard (${SHARD_SCHEMA_ID}, written by wirelab sweep --shard K/N --out FILE)`);
  return json as ShardFile;
}

/** The unsharded sweep's CSV from all its shard files, in any order. */
export function mergeShards(paths: readonly string[]): string {
  if (paths.length === 0) throw new CliError('expected the shard files to merge');
  const files = paths.map((path) => ({ path, file: readShard(path) }));
  const first = files[0]!;
  const seen = new Map<number, string>();
  const rows = new Map<number, string>();
  let count = 0;
  for (const { path, file } of files) {
    if (file.sweep !== first.file.sweep || file.runs !== first.file.runs || file.header !== first.file.header) {
      throw new CliError(`${path} is a shard of another sweep than ${first.path} (a different scenario, --set, --runs or --seed)`);
    }
    const shard = parseShard(file.shard);
    if (count === 0) count = shard.count;
    if (shard.count !== count) throw new CliError(`${path} is shard ${file.shard}, but ${first.path} is shard ${first.file.shard}: the sweep was cut in different numbers of shards`);
    const other = seen.get(shard.index);
    if (other !== undefined) throw new CliError(`${path} and ${other} are both shard ${file.shard}`);
    seen.set(shard.index, path);
    for (const [run, text] of file.rows) {
      if (!inShard(run, shard) || run >= file.runs || rows.has(run)) throw new CliError(`${path}: run ${run} does not belong in shard ${file.shard}`);
      rows.set(run, text);
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new CliError(`shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: merge needs every shard of the sweep`);
  const bodies: string[] = [];
  for (let run = 0; run < first.file.runs; run++) {
    const text = rows.get(run);
    if (text === undefined) throw new CliError(`run ${run} is in no shard file (a shard file was cut short?)`);
    bodies.push(text);
  }
  return joinCsv(first.file.header, bodies);
}
