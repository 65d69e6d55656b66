/**
 * Exports of a run: CSV (through d3-dsv, which quotes and escapes per RFC 4180) and a JSON file
 * holding the scenario, seed, app version and results that the Lab can import again.
 */
import { csvFormat } from 'd3-dsv';
// zod/mini (the same zod package, tree-shaken functions): this file ships on the page.
import * as z from 'zod/mini';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import type { Scenario } from '../../simulator/scenarios/schema.ts';
import type { MessageRow, RunSnapshot } from '../worker/api.ts';
import { APP_NAME, APP_VERSION } from './version.ts';

export const EXPORT_FORMAT = 'wirelab/export@1';

/** Columns of the message CSV, in order. */
export const MESSAGE_COLUMNS = [
  'flow', 'msg', 'bytes', 'sent_ms', 'delivered_ms', 'latency_ms', 'duplicates', 'status', 'lost_reason',
] as const;

/**
 * One row per application message. With `total` (the run's messages, when `rows` is a sample of
 * every `stride`-th: RunSnapshot.messageStride), a first `#` line says which ones it holds.
 */
export function messagesCsv(rows: readonly MessageRow[], sample?: { stride: number; total: number }): string {
  const note = sample && sample.stride > 1
    ? `# This file holds every ${ordinal(sample.stride)} message of the run, ${rows.length.toLocaleString('en-US')} of ${sample.total.toLocaleString('en-US')} (the page receives only a sample of a big run); ` +
      'the Lab\'s trace export, or the command line (wirelab run SCENARIO.json --trace trace.csv), has every message record\n'
    : '';
  return note + csvFormat(
    rows.map((r) => ({
      flow: r.flow,
      msg: r.msg,
      bytes: r.bytes,
      sent_ms: r.sentMs,
      delivered_ms: r.deliveredMs ?? '',
      latency_ms: r.latencyMs ?? '',
      duplicates: r.duplicates,
      status: r.status,
      lost_reason: r.lostReason,
    })),
    [...MESSAGE_COLUMNS],
  );
}

/** "2nd", "11th", "23rd": which of every k messages a sampled snapshot holds (RunSnapshot.messageStride). */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n.toLocaleString('en-US')}${suffix}`;
}

/** Columns of the packet CSV, in order. */
export const PACKET_COLUMNS = ['sent_ms', 'link', 'packet', 'bytes', 'conn', 'outcome', 'drop_reason', 'received_ms'] as const;

/** How many of a run's packets a snapshot's trace holds (the page keeps only the first records). */
export interface PacketCoverage {
  /** `link-send` records in the trace the page holds. */
  held: number;
  /** Packets the links carried in the whole run (every link's `segmentsSent`, summed: `totals.packets`). */
  total: number;
}

/**
 * The whole run's packets come from `totals` (every link), not from `metrics.links`, which may
 * be only the first links (RunOptions.rows): a 10,000-client run's first 100 links carried
 * 120,474 of its 239,970 packets.
 */
export function packetCoverage(snapshot: Pick<RunSnapshot, 'trace' | 'totals'>): PacketCoverage {
  let held = 0;
  for (const r of snapshot.trace) if (r.kind === 'link-send') held++;
  return { held, total: Math.max(snapshot.totals.packets, held) };
}

/**
 * What to tell the reader when the packets file cannot hold the whole run, or null when it does:
 * the file's first line and the note beside its button.
 */
export function packetsNote(coverage: PacketCoverage): string | null {
  if (coverage.held >= coverage.total) return null;
  const n = (v: number) => v.toLocaleString('en-US');
  return `This file holds the first ${n(coverage.held)} of ${n(coverage.total)} packets of the run (the page keeps only the start of the trace); ` +
    'for every packet, run the scenario with the command line: wirelab run SCENARIO.json --trace trace.csv';
}

/**
 * One row per packet a link carried (each `link-send`), with what became of it on that link:
 * `received`, `dropped` (and why) or `in-flight` at the end of the trace. When `coverage` says
 * the trace holds only the first packets of the run, the first line says so (a `#` line, as
 * spreadsheet and pandas `comment='#'` readers skip or show it), before the header, and a packet
 * the cut-off trace leaves open is `unknown` rather than `in-flight`.
 */
export function packetsCsv(trace: readonly TraceRecord[], coverage?: PacketCoverage): string {
  const rows: Record<(typeof PACKET_COLUMNS)[number], string | number>[] = [];
  const byKey = new Map<string, (typeof rows)[number]>();
  for (const r of trace) {
    if (r.kind === 'link-send') {
      const row = { sent_ms: r.t / 1000, link: r.link, packet: r.packet, bytes: r.bytes, conn: r.conn ?? '', outcome: 'in-flight', drop_reason: '', received_ms: '' };
      rows.push(row);
      byKey.set(`${r.link}#${r.packet}`, row);
    } else if (r.kind === 'link-receive' || r.kind === 'link-drop') {
      const row = byKey.get(`${r.link}#${r.packet}`);
      if (!row) continue;
      if (r.kind === 'link-receive') {
        row.outcome = 'received';
        row.received_ms = r.t / 1000;
      } else {
        row.outcome = 'dropped';
        row.drop_reason = r.reason;
      }
    }
  }
  const note = coverage ? packetsNote(coverage) : null;
  // A packet still open when a cut-off trace ends may have arrived after the cut: its fate is
  // not known here, which is not the same as in flight at the end of the run.
  if (note !== null) for (const row of rows) if (row.outcome === 'in-flight') row.outcome = 'unknown';
  const csv = csvFormat(rows, [...PACKET_COLUMNS]);
  return note === null ? csv : `# ${note}\n${csv}`;
}

/** Every trace record, one row each; columns are `t_ms`, `kind`, then every other field seen. */
export function traceCsv(trace: readonly TraceRecord[]): string {
  const columns = new Set<string>(['t_ms', 'kind']);
  for (const r of trace) for (const key of Object.keys(r)) if (key !== 't') columns.add(key);
  const rows = trace.map((r) => {
    const { t, ...rest } = r as TraceRecord & Record<string, unknown>;
    return { t_ms: t / 1000, ...rest } as Record<string, unknown>;
  });
  return csvFormat(rows as { [key: string]: string }[], [...columns]);
}

// ---- JSON ----

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  app: { name: string; version: string };
  scenario: Scenario;
  seed: number;
  results: {
    durationUs: number;
    metrics: RunSnapshot['metrics'];
    messages: MessageRow[];
    /** 1 when `messages` holds every message of the run; k when every k-th (RunSnapshot.messageStride). */
    messageStride: number;
    traceTotal: number;
    trace: TraceRecord[];
  };
}

/** The export file of a snapshot, as pretty-printed JSON text. */
export function exportJson(snapshot: RunSnapshot): string {
  const file: ExportFile = {
    format: EXPORT_FORMAT,
    app: { name: APP_NAME, version: snapshot.appVersion || APP_VERSION },
    scenario: snapshot.scenario as Scenario,
    seed: snapshot.seed,
    results: {
      durationUs: snapshot.durationUs,
      metrics: snapshot.metrics,
      messages: snapshot.messages,
      messageStride: snapshot.messageStride,
      traceTotal: snapshot.traceTotal,
      trace: snapshot.trace,
    },
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const fileSchema = z.looseObject({
  format: z.literal(EXPORT_FORMAT, { error: `expected "${EXPORT_FORMAT}"` }),
  app: z.looseObject({ name: z.string({ error: 'expected a string' }), version: z.string({ error: 'expected a string' }) }, { error: 'expected an object' }),
  seed: z.number({ error: 'expected a number' }).check(z.refine(Number.isInteger, { error: 'expected an integer' }), z.minimum(0, { error: 'expected at least 0' })),
  scenario: z.custom<unknown>((v) => v !== undefined, { error: 'expected a scenario object' }),
  results: z.looseObject(
    {
      durationUs: z.number({ error: 'expected a number' }),
      metrics: z.looseObject({ flows: z.array(z.unknown(), { error: 'expected a list' }) }, { error: 'expected an object' }),
      messages: z.array(z.unknown(), { error: 'expected a list' }),
    },
    { error: 'expected an object' },
  ),
});

export type ImportResult = { ok: true; file: ExportFile } | { ok: false; errors: string[] };

/** Checks a scenario: the Lab passes the worker's `validate`, so the schema stays off the page. */
export type ScenarioValidator = (scenario: unknown) => Promise<{ ok: true; scenario: unknown } | { ok: false; errors: string[] }>;

/** Reads an export file back (Lab "Import"): checks its shape and validates its scenario. */
export async function importJson(text: string, validate: ScenarioValidator): Promise<ImportResult> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`The file is not valid JSON (${error instanceof Error ? error.message : String(error)}).`] };
  }
  const shape = fileSchema.safeParse(value);
  if (!shape.success)
    return {
      ok: false,
      errors: shape.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(file)'}: ${i.message}`),
    };
  const scenario = await validate(shape.data.scenario);
  if (!scenario.ok) return { ok: false, errors: scenario.errors.map((e) => `scenario.${e}`) };
  return { ok: true, file: { ...(shape.data as unknown as ExportFile), scenario: scenario.scenario as Scenario } };
}
