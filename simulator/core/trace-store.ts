/**
 * The kept trace as typed columns (a column store), not one object per record: a record costs
 * its fields' bytes (8 per number, 4 per string, 1 per flag, 5 for its place in the order), and
 * a run's trace is a handful of ArrayBuffers a worker can transfer instead of copy.
 *
 * Each kind has a table whose columns are the fields of that kind (TRACE_FIELDS, written from
 * the record types in ./trace.ts): numbers in a Float64Array (exact for every JS number; NaN
 * stands for an absent optional field, and no record field is ever NaN), strings as indexes
 * into one table of distinct strings (an Int32Array, -1 absent), booleans in a Uint8Array
 * (0, 1, 2 absent). `order` says which kind the i-th record was and its row in that table, so
 * `record(i)` gives back the record as it was emitted (absent optional fields stay absent).
 *
 * With `limit`, only the newest `limit` packet-level records are kept (message records, which
 * metrics need, are always all kept), as ./trace.ts TraceBuffer does: let-go records are removed
 * in batches, when a quarter more than `limit` (at least 1,024) is held, so emitting stays O(1)
 * on average.
 */
import type { TraceKind, TraceRecord, TraceSink } from './trace.ts';

type FieldType = 'num' | 'str' | 'bool';

type FieldsOf<K extends TraceKind> = Exclude<keyof Extract<TraceRecord, { kind: K }>, 't' | 'kind'> & string;

/**
 * The fields of each record kind after `t` and `kind`, in the order the record types list them.
 * Checked by the compiler both ways: every name is a field of its kind, and every field of a
 * kind is here (`allFieldsKept` below), so a field added to ./trace.ts cannot be silently dropped.
 */
export const TRACE_FIELDS = {
  'link-send': [['link', 'str'], ['packet', 'num'], ['bytes', 'num'], ['conn', 'str']],
  'link-receive': [['link', 'str'], ['packet', 'num'], ['bytes', 'num'], ['conn', 'str']],
  'link-drop': [['link', 'str'], ['packet', 'num'], ['bytes', 'num'], ['reason', 'str'], ['conn', 'str']],
  'tcp-state': [['node', 'str'], ['conn', 'str'], ['from', 'str'], ['to', 'str']],
  'tcp-send': [
    ['node', 'str'], ['conn', 'str'], ['seq', 'num'], ['ack', 'num'], ['flags', 'str'],
    ['payloadBytes', 'num'], ['wireBytes', 'num'], ['retransmission', 'bool'],
  ],
  'tcp-retransmit': [['node', 'str'], ['conn', 'str'], ['seq', 'num'], ['payloadBytes', 'num'], ['cause', 'str'], ['rtoUs', 'num']],
  'tcp-failure': [['node', 'str'], ['conn', 'str'], ['reason', 'str']],
  'ws-frame': [
    ['node', 'str'], ['conn', 'str'], ['dir', 'str'], ['opcode', 'str'], ['fin', 'bool'], ['masked', 'bool'],
    ['payloadBytes', 'num'], ['frameBytes', 'num'], ['closeCode', 'num'],
  ],
  'ws-event': [['node', 'str'], ['conn', 'str'], ['event', 'str'], ['detail', 'str'], ['code', 'num']],
  'mqtt-packet': [
    ['node', 'str'], ['conn', 'str'], ['dir', 'str'], ['type', 'str'], ['bytes', 'num'], ['qos', 'num'],
    ['packetId', 'num'], ['dup', 'bool'], ['retain', 'bool'], ['topic', 'str'], ['reasonCode', 'num'],
  ],
  'mqtt-event': [['node', 'str'], ['event', 'str'], ['detail', 'str'], ['clientId', 'str']],
  flow: [['flow', 'str'], ['protocol', 'str'], ['from', 'str'], ['to', 'str'], ['topic', 'str'], ['qos', 'num']],
  'app-send': [['flow', 'str'], ['msg', 'num'], ['bytes', 'num']],
  'app-deliver': [['flow', 'str'], ['msg', 'num'], ['bytes', 'num'], ['duplicate', 'bool']],
  'app-lost': [['flow', 'str'], ['msg', 'num'], ['reason', 'str']],
  note: [['node', 'str'], ['text', 'str']],
} as const satisfies { readonly [K in TraceKind]: readonly (readonly [FieldsOf<K>, FieldType])[] };

type Unkept = { [K in TraceKind]: Exclude<FieldsOf<K>, (typeof TRACE_FIELDS)[K][number][0]> }[TraceKind];
/** Fails to compile, naming the field, when a record type has a field TRACE_FIELDS does not keep. */
export const allFieldsKept: [Unkept] extends [never] ? true : Unkept = true;

/** Kinds by their code in `order.kind` (the order of TRACE_FIELDS). */
export const TRACE_KINDS = Object.keys(TRACE_FIELDS) as TraceKind[];
const KIND_CODE = new Map<string, number>(TRACE_KINDS.map((k, i) => [k, i]));
const MESSAGE_KINDS = new Set<string>(['flow', 'app-send', 'app-deliver', 'app-lost']);

type Column = Float64Array | Int32Array | Uint8Array;

/** A kept trace as plain data: typed arrays and a string table, structured-clone safe. */
export interface TraceColumns {
  /** Records held. */
  length: number;
  /** Every distinct string of the trace; string columns hold indexes into it. */
  strings: string[];
  /** Kind code (index into TRACE_KINDS) and row in its table, per record. */
  kind: Uint8Array;
  row: Uint32Array;
  /** Per kind (TRACE_KINDS order): `t`, then one column per field of TRACE_FIELDS. */
  tables: { rows: number; columns: Column[] }[];
}

class Table {
  rows = 0;
  columns: Column[];
  constructor(
    readonly fields: readonly (readonly [string, FieldType])[],
    capacity: number,
  ) {
    this.columns = [new Float64Array(capacity), ...fields.map(([, type]) => newColumn(type, capacity))];
  }

  get capacity(): number {
    return this.columns[0]!.length;
  }

  grow(capacity: number): void {
    this.columns = this.columns.map((c) => {
      const bigger = new (c.constructor as new (n: number) => Column)(capacity);
      bigger.set(c.subarray(0, this.rows));
      return bigger;
    });
  }

  get bytes(): number {
    let n = 0;
    for (const c of this.columns) n += c.byteLength;
    return n;
  }
}

function newColumn(type: FieldType, capacity: number): Column {
  return type === 'num' ? new Float64Array(capacity) : type === 'str' ? new Int32Array(capacity) : new Uint8Array(capacity);
}

const FIRST_CAPACITY = 64;

export class TraceStore implements TraceSink {
  #strings: string[] = [];
  #stringIds = new Map<string, number>();
  #tables: Table[] = TRACE_KINDS.map((k) => new Table(TRACE_FIELDS[k], FIRST_CAPACITY));
  #kind = new Uint8Array(FIRST_CAPACITY);
  #row = new Uint32Array(FIRST_CAPACITY);
  #length = 0;
  #packets = 0;
  #dropped = 0;

  constructor(readonly limit?: number) {}

  /** Packet-level records let go because of `limit`. */
  get dropped(): number {
    this.#trim();
    return this.#dropped;
  }

  /** Records held now. */
  get length(): number {
    this.#trim();
    return this.#length;
  }

  /** Records held, some perhaps about to be let go: what a memory budget counts, without trimming. */
  get held(): number {
    return this.#length;
  }

  /** Bytes of the columns and the string table (strings at 2 bytes a character + 32). */
  get bytes(): number {
    let n = this.#kind.byteLength + this.#row.byteLength;
    for (const t of this.#tables) n += t.bytes;
    for (const s of this.#strings) n += 32 + 2 * s.length;
    return n;
  }

  emit(record: TraceRecord): void {
    const code = KIND_CODE.get(record.kind);
    if (code === undefined) throw new TypeError(`unknown trace record kind "${String(record.kind)}"`);
    const table = this.#tables[code]!;
    if (table.rows === table.capacity) table.grow(table.capacity * 2);
    if (this.#length === this.#kind.length) this.#growOrder(this.#length * 2);
    const row = table.rows++;
    const { columns, fields } = table;
    (columns[0] as Float64Array)[row] = record.t;
    const values = record as unknown as Record<string, unknown>;
    for (let f = 0; f < fields.length; f++) {
      const [name, type] = fields[f]!;
      const v = values[name];
      const column = columns[f + 1]!;
      if (type === 'num') column[row] = v === undefined ? NaN : (v as number);
      else if (type === 'str') column[row] = v === undefined ? -1 : this.#intern(v as string);
      else column[row] = v === undefined ? 2 : v ? 1 : 0;
    }
    this.#kind[this.#length] = code;
    this.#row[this.#length] = row;
    this.#length++;
    if (this.limit === undefined || MESSAGE_KINDS.has(record.kind)) return;
    this.#packets++;
    if (this.#packets > this.limit + Math.max(1024, this.limit >> 2)) this.#trim();
  }

  /** The i-th kept record, as it was emitted. */
  record(i: number): TraceRecord {
    this.#trim();
    if (!(i >= 0 && i < this.#length)) throw new RangeError(`no trace record ${i}: the trace holds ${this.#length}`);
    return recordOf(this.#strings, this.#tables[this.#kind[i]!]!, this.#kind[i]!, this.#row[i]!);
  }

  /** Up to `count` kept records from index `from`, in emission order. */
  slice(from: number, count: number): TraceRecord[] {
    this.#trim();
    const out: TraceRecord[] = [];
    const end = Math.min(this.#length, Math.max(0, from) + Math.max(0, count));
    for (let i = Math.max(0, from); i < end; i++) out.push(recordOf(this.#strings, this.#tables[this.#kind[i]!]!, this.#kind[i]!, this.#row[i]!));
    return out;
  }

  /** Every kept record as objects, in emission order, or only those of `kinds` (a big trace is better read in slices). */
  records(kinds?: readonly string[]): TraceRecord[] {
    return kinds === undefined ? this.slice(0, this.length) : this.select(kinds, 0, this.length).records;
  }

  /** Up to `count` of the kept records of `kinds` (all kinds when empty) from the `from`-th of them, and how many there are. */
  select(kinds: readonly string[], from: number, count: number): { total: number; records: TraceRecord[] } {
    if (kinds.length === 0) return { total: this.length, records: this.slice(from, count) };
    this.#trim();
    const wanted = new Uint8Array(TRACE_KINDS.length);
    for (const k of kinds) {
      const code = KIND_CODE.get(k);
      if (code !== undefined) wanted[code] = 1;
    }
    const start = Math.max(0, from);
    const end = start + Math.max(0, count);
    const records: TraceRecord[] = [];
    let total = 0;
    for (let i = 0; i < this.#length; i++) {
      const code = this.#kind[i]!;
      if (wanted[code] === 0) continue;
      if (total >= start && total < end) records.push(recordOf(this.#strings, this.#tables[code]!, code, this.#row[i]!));
      total++;
    }
    return { total, records };
  }

  /** The kept trace as plain typed arrays (copies trimmed to length), with `transfer`: the buffers to hand to postMessage. */
  columns(): { columns: TraceColumns; transfer: ArrayBuffer[] } {
    this.#trim();
    const n = this.#length;
    const kind = this.#kind.slice(0, n);
    const row = this.#row.slice(0, n);
    const tables = this.#tables.map((t) => ({ rows: t.rows, columns: t.columns.map((c) => c.slice(0, t.rows)) }));
    const transfer: ArrayBuffer[] = [kind.buffer, row.buffer];
    for (const t of tables) for (const c of t.columns) transfer.push(c.buffer as ArrayBuffer);
    return { columns: { length: n, strings: [...this.#strings], kind, row, tables }, transfer };
  }

  #intern(s: string): number {
    let id = this.#stringIds.get(s);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(s);
      this.#stringIds.set(s, id);
    }
    return id;
  }

  #growOrder(capacity: number): void {
    const kind = new Uint8Array(capacity);
    kind.set(this.#kind.subarray(0, this.#length));
    const row = new Uint32Array(capacity);
    row.set(this.#row.subarray(0, this.#length));
    this.#kind = kind;
    this.#row = row;
  }

  /** Lets go of the oldest packet-level records beyond `limit`: every table is rebuilt from the rows it keeps. */
  #trim(): void {
    if (this.limit === undefined || this.#packets <= this.limit) return;
    let excess = this.#packets - this.limit;
    this.#dropped += excess;
    this.#packets = this.limit;
    const old = this.#tables;
    const tables = TRACE_KINDS.map((k, code) => new Table(TRACE_FIELDS[k], Math.max(FIRST_CAPACITY, old[code]!.rows)));
    let kept = 0;
    for (let i = 0; i < this.#length; i++) {
      const code = this.#kind[i]!;
      if (excess > 0 && !MESSAGE_KINDS.has(TRACE_KINDS[code]!)) {
        excess--;
        continue;
      }
      const from = old[code]!;
      const to = tables[code]!;
      const src = this.#row[i]!;
      const dst = to.rows++;
      for (let c = 0; c < from.columns.length; c++) to.columns[c]![dst] = from.columns[c]![src]!;
      this.#kind[kept] = code;
      this.#row[kept] = dst;
      kept++;
    }
    this.#tables = tables;
    this.#length = kept;
  }
}

/** The record at `row` of a kind's table: `t`, `kind`, then its present fields in TRACE_FIELDS order. */
function recordOf(strings: readonly string[], table: { columns: Column[] }, code: number, row: number): TraceRecord {
  const kind = TRACE_KINDS[code]!;
  const out: Record<string, unknown> = { t: table.columns[0]![row], kind };
  const fields: readonly (readonly [string, FieldType])[] = TRACE_FIELDS[kind];
  for (let f = 0; f < fields.length; f++) {
    const [name, type] = fields[f]!;
    const v = table.columns[f + 1]![row]!;
    if (type === 'num') {
      if (!Number.isNaN(v)) out[name] = v;
    } else if (type === 'str') {
      if (v >= 0) out[name] = strings[v];
    } else if (v !== 2) {
      out[name] = v === 1;
    }
  }
  return out as unknown as TraceRecord;
}

/** The i-th record of a trace handed over as columns (TraceStore.columns()). */
export function columnsRecord(columns: TraceColumns, i: number): TraceRecord {
  if (!(i >= 0 && i < columns.length)) throw new RangeError(`no trace record ${i}: the trace holds ${columns.length}`);
  const code = columns.kind[i]!;
  return recordOf(columns.strings, columns.tables[code]!, code, columns.row[i]!);
}
