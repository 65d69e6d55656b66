/**
 * A run's whole trace as files, from the columns the worker hands over (SimApi `traceColumns`,
 * simulator/core/trace-store.ts TraceColumns): every record as CSV or JSON, and every packet as
 * the packets CSV (src/lib/export.ts PACKET_COLUMNS). A 10,000-client run holds about a million
 * records: the files are written a slice at a time, giving the page back between slices (each
 * slice a short task, so the page stays responsive) and reporting the fraction done.
 *
 * Rows are written straight from the columns, never as one object per record. CSV fields are
 * quoted as RFC 4180 says (d3-dsv's rule: a field holding a comma, a quote or a line break).
 * The columns' layout (`TraceFormat`: kinds and their fields) comes from the worker with them
 * (SimApi `traceFormat`): the page carries no simulator code.
 */
import type { TraceColumns } from '../../simulator/core/trace-store.ts';
import type { TraceFormat } from '../worker/api.ts';
import { PACKET_COLUMNS } from './export.ts';

export type { TraceFormat };

/** Records written between two returns to the page's event loop. */
export const RECORDS_PER_SLICE = 10_000;

/** What the file's first line says about the run and its trace. */
export interface TraceFileInfo {
  /** Packet-level records the run let go (the oldest first) to keep its trace within its limit: RunSnapshot.traceDropped. */
  dropped: number;
  /** Packets the run's links carried in all (RunSnapshot.totals.packets). */
  packets: number;
}

export interface TraceFileOptions {
  /** Called after each slice with the fraction written, 0-1. */
  onProgress?: (fraction: number) => void;
  /** Checked between slices: true stops the writing (the promise rejects with an AbortError). */
  cancelled?: () => boolean;
  recordsPerSlice?: number;
}

/** `t_ms`, `kind`, then every field of every kind, in the format's order, once: the trace CSV's columns. */
export function traceCsvColumns(format: TraceFormat): string[] {
  return ['t_ms', 'kind', ...new Set(format.fields.flatMap((fields) => fields.map(([name]) => name)))];
}

type Cell = string | number | boolean | undefined;

/** One field's value in a record (undefined when absent): NaN, -1 and 2 are the columns' "absent". */
function cell(format: TraceFormat, columns: TraceColumns, code: number, row: number, field: number): Cell {
  const [, type] = format.fields[code]![field]!;
  const v = columns.tables[code]!.columns[field + 1]![row]!;
  if (type === 'num') return Number.isNaN(v) ? undefined : v;
  if (type === 'str') return v >= 0 ? columns.strings[v] : undefined;
  return v === 2 ? undefined : v === 1;
}

const NEEDS_QUOTES = /[",\n\r]/;
function csvField(value: Cell): string {
  if (value === undefined) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** "every record" or what was let go: the `#` first line of a trace file whose run cut its trace. */
export function traceCutNote(info: TraceFileInfo, held: number): string | null {
  if (info.dropped <= 0) return null;
  const n = (v: number) => v.toLocaleString('en-US');
  return `This run's trace was cut at its limit: it let go of its first ${n(info.dropped)} packet-level records, ` +
    `so this file holds the last ${n(held)} of ${n(held + info.dropped)} records (every message record is kept); ` +
    'for all of them, run the scenario with the command line: wirelab run SCENARIO.json --trace trace.csv';
}

/** Calls `write` on [from, to) slices of `length` records, giving the page back between them. */
async function slices(length: number, options: TraceFileOptions, write: (from: number, to: number) => void): Promise<void> {
  const step = Math.max(1, options.recordsPerSlice ?? RECORDS_PER_SLICE);
  let from = 0;
  do {
    if (options.cancelled?.()) throw new DOMException('The export was cancelled.', 'AbortError');
    const to = Math.min(length, from + step);
    write(from, to);
    options.onProgress?.(length === 0 ? 1 : to / length);
    from = to;
    if (from < length) await new Promise((resolve) => setTimeout(resolve, 0));
  } while (from < length);
}

/** Every record, one CSV row each, in emission order: `t_ms`, `kind`, then every field of every kind (empty where a kind has none). */
export async function traceCsvParts(format: TraceFormat, columns: TraceColumns, info: TraceFileInfo, options: TraceFileOptions = {}): Promise<string[]> {
  const header = traceCsvColumns(format);
  const index = new Map(header.map((name, i) => [name, i]));
  // Per kind: where each of its fields goes in the row.
  const places = format.fields.map((fields) => fields.map(([name]) => index.get(name)!));
  const note = traceCutNote(info, columns.length);
  const parts: string[] = [`${note === null ? '' : `# ${note}\n`}${header.join(',')}\n`];
  const row = new Array<string>(header.length);
  await slices(columns.length, options, (from, to) => {
    let text = '';
    for (let i = from; i < to; i++) {
      const code = columns.kind[i]!;
      const r = columns.row[i]!;
      row.fill('');
      row[0] = String(columns.tables[code]!.columns[0]![r]! / 1000);
      row[1] = format.kinds[code]!;
      const at = places[code]!;
      for (let f = 0; f < at.length; f++) row[at[f]!] = csvField(cell(format, columns, code, r, f));
      text += `${row.join(',')}\n`;
    }
    parts.push(text);
  });
  return parts;
}

/**
 * Every record as JSON: `{ "format", "records", "droppedPacketRecords", "note", "trace": [...] }`
 * with the records as the simulator emits them (`t` in µs, absent fields left out), one a line.
 */
export async function traceJsonParts(format: TraceFormat, columns: TraceColumns, info: TraceFileInfo, options: TraceFileOptions = {}): Promise<string[]> {
  const note = traceCutNote(info, columns.length);
  const head = { format: 'wirelab/trace@1', records: columns.length, droppedPacketRecords: info.dropped, note: note ?? 'Every record of the run.' };
  const parts: string[] = [`${JSON.stringify(head).slice(0, -1)},"trace":[\n`];
  await slices(columns.length, options, (from, to) => {
    let text = '';
    for (let i = from; i < to; i++) {
      const code = columns.kind[i]!;
      const r = columns.row[i]!;
      const record: Record<string, Cell> = { t: columns.tables[code]!.columns[0]![r]!, kind: format.kinds[code]! };
      const fields = format.fields[code]!;
      for (let f = 0; f < fields.length; f++) {
        const v = cell(format, columns, code, r, f);
        if (v !== undefined) record[fields[f]![0]] = v;
      }
      text += `${JSON.stringify(record)}${i === columns.length - 1 ? '' : ','}\n`;
    }
    parts.push(text);
  });
  parts.push(']}\n');
  return parts;
}

/**
 * One row per packet a link carried (each `link-send`), as src/lib/export.ts `packetsCsv` writes
 * it, over the whole kept trace. When the run cut its trace, the first line says how many of the
 * run's packets the file holds (the last ones: the trace lets go of the oldest).
 */
export async function packetsCsvParts(format: TraceFormat, columns: TraceColumns, info: TraceFileInfo, options: TraceFileOptions = {}): Promise<string[]> {
  const SEND = format.kinds.indexOf('link-send');
  const RECEIVE = format.kinds.indexOf('link-receive');
  const DROP = format.kinds.indexOf('link-drop');
  // link-send and link-receive: t, link, packet, bytes, conn; link-drop: t, link, packet, bytes, reason, conn.
  const column = (code: number, name: string) => 1 + format.fields[code]!.findIndex(([field]) => field === name);
  const [LINK, PACKET, BYTES, CONN, REASON] = [column(SEND, 'link'), column(SEND, 'packet'), column(SEND, 'bytes'), column(SEND, 'conn'), column(DROP, 'reason')];
  const sends = columns.tables[SEND]!.rows;
  // Per send row: outcome (0 in flight, 1 received, 2 dropped), and when received or why dropped.
  const outcome = new Uint8Array(sends);
  const receivedAt = new Float64Array(sends);
  const dropReason = new Int32Array(sends).fill(-1);
  const sendOf = new Map<string, number>();
  // The three kinds list link and packet first, so the same columns serve all three.
  const key = (code: number, r: number) => `${columns.tables[code]!.columns[LINK]![r]}#${columns.tables[code]!.columns[PACKET]![r]}`;
  await slices(columns.length, { ...options, onProgress: (f) => options.onProgress?.(f / 2) }, (from, to) => {
    for (let i = from; i < to; i++) {
      const code = columns.kind[i]!;
      const r = columns.row[i]!;
      if (code === SEND) {
        sendOf.set(key(code, r), r);
      } else if (code === RECEIVE || code === DROP) {
        const s = sendOf.get(key(code, r));
        if (s === undefined) continue;
        if (code === RECEIVE) {
          outcome[s] = 1;
          receivedAt[s] = columns.tables[code]!.columns[0]![r]!;
        } else {
          outcome[s] = 2;
          dropReason[s] = columns.tables[code]!.columns[REASON]![r]!;
        }
      }
    }
  });
  const send = columns.tables[SEND]!.columns;
  const n = (v: number) => v.toLocaleString('en-US');
  const note = info.dropped > 0
    ? `This file holds the last ${n(sends)} of ${n(Math.max(info.packets, sends))} packets of the run (its trace was cut at its limit, letting go of the oldest records); ` +
      'for every packet, run the scenario with the command line: wirelab run SCENARIO.json --trace trace.csv'
    : null;
  const parts: string[] = [`${note === null ? '' : `# ${note}\n`}${PACKET_COLUMNS.join(',')}\n`];
  // A table's rows are in emission order: its sends in the order they were sent.
  await slices(sends, { ...options, onProgress: (f) => options.onProgress?.(0.5 + f / 2) }, (from, to) => {
    let text = '';
    for (let r = from; r < to; r++) {
      const conn = send[CONN]![r]!;
      const state = outcome[r]!;
      text += [
        send[0]![r]! / 1000,
        csvField(columns.strings[send[LINK]![r]!]),
        send[PACKET]![r]!,
        send[BYTES]![r]!,
        conn >= 0 ? csvField(columns.strings[conn]) : '',
        state === 1 ? 'received' : state === 2 ? 'dropped' : 'in-flight',
        state === 2 && dropReason[r]! >= 0 ? csvField(columns.strings[dropReason[r]!]) : '',
        state === 1 ? receivedAt[r]! / 1000 : '',
      ].join(',') + '\n';
    }
    parts.push(text);
  });
  return parts;
}
