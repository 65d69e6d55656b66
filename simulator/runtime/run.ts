/**
 * Runs a validated scenario: builds the star network (one access link per node, see
 * ../net/network.ts), a TCP host per node, and every node's role from the registry; starts the
 * roles at time 0 in node order; runs the scheduler until `durationS`; lets roles finish.
 *
 * Same scenario + seed gives byte-identical traces: all randomness comes from streams named after
 * what uses them (`link:${linkId}:loss`, `node:${id}:tcp-iss`, `node:${id}:${name}` for roles),
 * and the scheduler breaks time ties by insertion order.
 */
import { memoryCheck, type MemoryBudget } from '../core/budget.ts';
import { Rng } from '../core/rng.ts';
import { Scheduler } from '../core/scheduler.ts';
import type { Micros } from '../core/time.ts';
import { s } from '../core/time.ts';
import type { TraceKind, TraceRecord, TraceSink } from '../core/trace.ts';
import { DEFAULT_TRACE_PACKET_LIMIT, linkPacketRecord } from '../core/trace.ts';
import { TraceStore } from '../core/trace-store.ts';
import type { LinkConfig, LinkConfigInput } from '../net/config.ts';
import { mergeLinkConfig } from '../net/config.ts';
import { StarNetwork } from '../net/network.ts';
import type { TcpHolding, TcpOptions } from '../protocols/tcp/api.ts';
import type { Scenario, ScenarioNode } from '../scenarios/schema.ts';
import type { Connection, Role, RoleContext, RoleFactory, TimerHandle } from './api.ts';
import { ConnectionPairs } from './connection.ts';
import { Host } from './host.ts';
import { roleRegistry } from './roles/index.ts';

export interface RunOptions {
  /** Overrides the scenario's seed (sweeps, `--seed`). */
  seed?: number;
  /**
   * Keep the trace (default true): every record, in a column store (../core/trace-store.ts). A
   * caller that only needs metrics (the CLI without --trace, sweeps, benchmarks) passes false
   * and a MetricsReducer (simulator/metrics) in `sinks`: the run then holds no trace at all.
   */
  keepTrace?: boolean;
  /** Keep at most this many packet-level trace records (the newest; default DEFAULT_TRACE_PACKET_LIMIT); message records are always kept. Metrics count every record. */
  traceLimit?: number;
  /** Memory budget (../core/budget.ts): the run stops with MemoryBudgetExceeded past it. */
  memory?: MemoryBudget;
  /** Called with the fraction of simulated time done, about 100 times per run. */
  onProgress?: (fraction: number) => void;
  /** Most scheduler events the run may execute (default: the scheduler's, ../core/budget.ts DEFAULT_EVENT_BUDGET). */
  eventBudget?: number;
  /**
   * Sinks that see every record as it is emitted (the metrics reducer, a live view, a test); what
   * they hold counts against the memory budget through their `heldBytes`.
   */
  sinks?: readonly (TraceSink & { readonly heldBytes?: number })[];
  /** Checked between slices of the run; when set, the run stops with RunAborted. */
  signal?: { aborted: boolean };
  /** Read-only looks at the run while it goes (accounting views); they change nothing in it. */
  probes?: readonly RunProbe[];
}

/**
 * A look at the run at `fromUs`, then every `everyUs` until the end: what each host's TCP
 * connections and each role hold at that instant. A probe runs as a scheduler event of its own
 * (after whatever else is due at that instant and was scheduled before it) and only reads.
 */
export interface RunProbe {
  fromUs: Micros;
  everyUs: Micros;
  read(view: RunView): void;
}

export interface RunView {
  readonly now: Micros;
  /** The TCP connections a node's host knows now (closed ones are gone; TIME_WAIT ones are there). */
  connections(node: string): Iterable<{ readonly id: string; readonly remoteNode: string; readonly engine: { readonly holding: TcpHolding } }>;
  /** What a node's role holds now (its `holding()`), or undefined when the role tells nothing. */
  role(node: string): Readonly<Record<string, number>> | undefined;
}

export interface RunResult {
  /** Every kept record in emission (time) order, as objects (made from `traceStore` when first read; empty when the trace was not kept). */
  readonly trace: TraceRecord[];
  /** The kept trace as columns, when it was kept. */
  traceStore: TraceStore | undefined;
  /** Records the run emitted, kept or not. */
  recordsEmitted: number;
  /** The end of the run, µs (durationS). */
  endTime: Micros;
  eventsExecuted: number;
  /** Packet-level records let go because of `traceLimit`. */
  droppedTraceRecords: number;
}

/** A scenario names a role that no module implements yet. */
export class RoleNotSupported extends Error {
  readonly code = 'role-not-supported';
  constructor(readonly role: string, readonly node: string) {
    super(`role "${role}" is not yet supported`);
    this.name = 'RoleNotSupported';
  }
}

export class RunAborted extends Error {
  readonly code = 'aborted';
  constructor(readonly at: Micros) {
    super(`the run was aborted at t=${at} µs`);
    this.name = 'RunAborted';
  }
}

/** Link settings of one node, per direction, after layering (see ../net/config.ts). */
export function nodeLinks(scenario: Scenario, node: Scenario['nodes'][number]) {
  const defaults = scenario.defaults?.link as LinkConfigInput | undefined;
  const both = node.link as LinkConfigInput | undefined;
  return {
    up: mergeLinkConfig(defaults, both, node.up as LinkConfigInput | undefined),
    down: mergeLinkConfig(defaults, both, node.down as LinkConfigInput | undefined),
  };
}

/** Checks every node's role has a factory; throws RoleNotSupported for the first that has none. */
export function checkRoles(scenario: Scenario): void {
  for (const node of scenario.nodes) {
    if ((roleRegistry as Readonly<Record<string, unknown>>)[node.role] === undefined) throw new RoleNotSupported(node.role, node.id);
  }
}

const PROGRESS_SLICES = 100;

/** What every node's context shares: one object per run. */
interface RunParts {
  scheduler: Scheduler;
  trace: TraceSink;
  root: Rng;
  /** State shared by the run's roles (RoleContext.shared). */
  shared: Map<string, unknown>;
  /** Nodes whose `failure` has come: their roles' timers (and a start not yet run) do nothing. */
  failed: Set<string>;
}

/**
 * A node's RoleContext: methods on one object per node rather than ten closures (a
 * 10,000-node fleet has 10,000 of them).
 */
class NodeContext implements RoleContext<ScenarioNode> {
  readonly node: string;
  readonly #parts: RunParts;
  readonly #host: Host;
  readonly #fails: boolean;

  constructor(
    readonly spec: ScenarioNode,
    readonly scenario: Scenario,
    readonly endTime: Micros,
    parts: RunParts,
    host: Host,
  ) {
    this.node = spec.id;
    this.#parts = parts;
    this.#host = host;
    this.#fails = spec.failure !== undefined;
  }

  now(): Micros {
    return this.#parts.scheduler.now;
  }

  at(at: Micros, fn: () => void): TimerHandle {
    const { scheduler, failed } = this.#parts;
    if (!this.#fails) return scheduler.at(at, fn) as TimerHandle;
    const node = this.node;
    return scheduler.at(at, () => failed.has(node) || fn()) as TimerHandle;
  }

  cancel(handle: TimerHandle): void {
    this.#parts.scheduler.cancel(handle as ReturnType<Scheduler['at']>);
  }

  /** For the roles' engine drivers (./driver.ts DriverClock.atWith): `fn(arg)` at `at`, without a closure unless the node may fail. */
  atWith<A>(at: Micros, fn: (arg: A) => void, arg: A): TimerHandle {
    const { scheduler, failed } = this.#parts;
    if (!this.#fails) return scheduler.atWith(at, fn, arg, undefined) as TimerHandle;
    const node = this.node;
    return scheduler.atWith(at, (a: A) => failed.has(node) || fn(a), arg, undefined) as TimerHandle;
  }

  /** For the roles' engine drivers (./driver.ts DriverClock.reschedule): the timer keeps its function (and its failure guard). */
  reschedule<A>(handle: TimerHandle, at: Micros, arg: A): TimerHandle {
    return this.#parts.scheduler.reschedule(handle as ReturnType<Scheduler['at']>, at, arg, undefined) as TimerHandle;
  }

  rng(name: string): Rng {
    return this.#parts.root.fork(`node:${this.node}:${name}`);
  }

  trace(record: TraceRecord): void {
    this.#parts.trace.emit(record);
  }

  wants(kind: TraceKind): boolean {
    return this.#parts.trace.wants!(kind);
  }

  connect(remote: string, port: number, tcpOptions?: Partial<TcpOptions>): Connection {
    return this.#host.connect(remote, port, tcpOptions);
  }

  listen(port: number, onAccept: (conn: Connection) => void, tcpOptions?: Partial<TcpOptions>): void {
    this.#host.listen(port, onAccept, tcpOptions);
  }

  shared<T>(key: string, make: () => T): T {
    const { shared } = this.#parts;
    if (!shared.has(key)) shared.set(key, make());
    return shared.get(key) as T;
  }
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  checkRoles(scenario);
  const seed = options.seed ?? scenario.seed;
  const store = options.keepTrace === false ? undefined : new TraceStore(options.traceLimit ?? DEFAULT_TRACE_PACKET_LIMIT);
  const sinks = options.sinks ?? [];
  let emitted = 0;
  // Link records go to the sinks by their fields when every sink takes them so and no trace is kept.
  const linkFields = store === undefined && sinks.every((sink) => sink.linkPacket !== undefined);
  // One sink for the roles: the store keeps each record when asked, the caller's sinks (metrics)
  // reduce it; no record outlives its emission unless the trace is kept, and a record nothing
  // reads is not even built (`wants`; it still counts in `recordsEmitted`).
  const trace: TraceSink = {
    emit(record: TraceRecord): void {
      emitted++;
      store?.emit(record);
      for (let i = 0; i < sinks.length; i++) sinks[i]!.emit(record);
    },
    wants(kind: TraceKind): boolean {
      if (store !== undefined) return true;
      for (let i = 0; i < sinks.length; i++) {
        const sink = sinks[i]!;
        if (sink.reads === undefined || sink.reads(kind)) return true;
      }
      emitted++;
      return false;
    },
    linkPacket(t, kind, link, linkIndex, packet, bytes, conn): void {
      if (!linkFields) return this.emit(linkPacketRecord(t, kind, link, packet, bytes, conn));
      emitted++;
      for (let i = 0; i < sinks.length; i++) sinks[i]!.linkPacket!(t, kind, link, linkIndex, packet, bytes, conn);
    },
  };
  const held = (): number => {
    let bytes = store?.bytes ?? 0;
    for (const sink of sinks) bytes += sink.heldBytes ?? 0;
    return bytes;
  };
  const check = memoryCheck(options.memory ?? {}, held);
  const scheduler = new Scheduler({ check, ...(options.eventBudget === undefined ? {} : { eventBudget: options.eventBudget }) });
  const root = Rng.stream(seed, '');
  const network = new StarNetwork({ scheduler, trace, rng: root });
  const endTime = s(scenario.durationS);

  const pairs = new ConnectionPairs();
  const hosts = new Map<string, Host>();
  // A node without link settings of its own has the scenario's defaults both ways: one object
  // for all of them (a link only reads its settings), not two per node.
  let plain: LinkConfig | undefined;
  for (const node of scenario.nodes) {
    const own = node.link !== undefined || node.up !== undefined || node.down !== undefined;
    const { up, down } = own ? nodeLinks(scenario, node) : { up: (plain ??= nodeLinks(scenario, node).up), down: plain };
    const attachment = network.attach(node.id, up, down);
    const host = new Host(node.id, { scheduler, trace, network, issRng: root.leaf(`node:${node.id}:tcp-iss`), pairs, uplink: attachment.up });
    attachment.receive = (packet) => host.receive(packet);
    hosts.set(node.id, host);
  }

  const roles: Role[] = [];
  const shared = new Map<string, unknown>();
  /** Nodes whose `failure` has come: their roles' timers (and a start not yet run) do nothing. */
  const failed = new Set<string>();
  const parts: RunParts = { scheduler, trace, root, shared, failed };
  for (const node of scenario.nodes) {
    const host = hosts.get(node.id)!;
    // A node with a `failure`: from then on its role's timers do nothing (the process is gone),
    // and its host closes or silences its sockets (Host.fail).
    const failure = node.failure;
    if (failure !== undefined)
      scheduler.at(s(failure.atS), () => {
        failed.add(node.id);
        trace.emit({ t: scheduler.now, kind: 'note', node: node.id, text: `node ${node.id} fails: ${failure.kind ?? 'crash'}` });
        host.fail(failure.kind ?? 'crash');
      });
    const ctx = new NodeContext(node, scenario, endTime, parts, host);
    // node.role picks the factory of that role, whose spec type is exactly this node's (checkRoles
    // made sure there is one; tests may register more roles).
    const factory = (roleRegistry as Readonly<Record<string, RoleFactory<ScenarioNode>>>)[node.role]!;
    roles.push(factory(ctx));
  }
  roles.forEach((role, i) => scheduler.at(0, () => failed.has(scenario.nodes[i]!.id) || role.start()));
  const byNode = new Map(scenario.nodes.map((node, i) => [node.id, roles[i]!]));
  const view: RunView = {
    get now() {
      return scheduler.now;
    },
    connections: (node) => hosts.get(node)?.connections() ?? [],
    role: (node) => byNode.get(node)?.holding?.(),
  };
  for (const probe of options.probes ?? []) {
    if (!(probe.everyUs > 0)) throw new RangeError(`a probe's everyUs must be positive, got ${probe.everyUs}`);
    const look = (at: Micros): void => {
      if (at > endTime) return;
      scheduler.at(at, () => {
        probe.read(view);
        look(at + probe.everyUs);
      });
    };
    look(probe.fromUs);
  }

  for (let slice = 1; slice <= PROGRESS_SLICES; slice++) {
    if (options.signal?.aborted) throw new RunAborted(scheduler.now);
    const until = slice === PROGRESS_SLICES ? endTime : Math.floor((endTime * slice) / PROGRESS_SLICES);
    scheduler.run(until);
    options.onProgress?.(slice / PROGRESS_SLICES);
  }
  // Connections that died while their peer lived on: what did not arrive by now never will.
  pairs.settleAll();
  for (const role of roles) role.finish?.();

  let records: TraceRecord[] | undefined;
  return {
    get trace() {
      return (records ??= store?.records() ?? []);
    },
    traceStore: store,
    recordsEmitted: emitted,
    endTime,
    eventsExecuted: scheduler.executed,
    droppedTraceRecords: store?.dropped ?? 0,
  };
}
