/**
 * One run of chapter 10's "one server, many clients" (./serverload-scenario.ts), in the worker or
 * in Node for the build: the hub's holdings read by a probe every PROBE_EVERY_MS of the window
 * (simulator/runtime/run.ts `RunProbe`: read-only, it changes nothing in the run), the packets,
 * bytes and readings of the window counted by a trace sink; no trace kept. The answer is a few
 * hundred bytes whatever N is, so the page asks for the plan's runs one at a time.
 */
import * as z from 'zod';
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { runScenario, type RunView } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { defineCourseModule } from './module.ts';
import {
  EVERY_CHOICES, MAX_DEVICES, PROBE_EVERY_MS, SERVER_HUB_NODE, SERVERLOAD_DEFAULTS, WINDOW_S, WINDOW_START_S,
  serverLoadScenario, type Held, type HubLoad, type ServerLoadStep,
} from './serverload-scenario.ts';

const everyChoice = z.union(EVERY_CHOICES.map((v) => z.literal(v)) as unknown as [z.ZodLiteral<0.1>, z.ZodLiteral<1>, z.ZodLiteral<10>]);

export const serverLoadFields = {
  devices: z.number().int().min(1).max(MAX_DEVICES),
  everyS: everyChoice,
  qos: z.union([z.literal(0), z.literal(1)]),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
};

const HELD_KEYS = [
  'tcpConnections', 'appConnections', 'sendQueueBytes', 'scoreboardSegments', 'outOfOrderBytes',
  'retransmitTimers', 'delayedAckTimers', 'appTimers', 'queuedMessages', 'inflightMessages',
] as const;
type HeldKey = (typeof HELD_KEYS)[number];

/** Sums and peaks of what the probe read, look by look. */
class Looks {
  looks = 0;
  readonly sum = Object.fromEntries(HELD_KEYS.map((k) => [k, 0])) as Record<HeldKey, number>;
  readonly peak = Object.fromEntries(HELD_KEYS.map((k) => [k, 0])) as Record<HeldKey, number>;

  add(now: Record<HeldKey, number>): void {
    this.looks++;
    for (const k of HELD_KEYS) {
      this.sum[k] += now[k];
      this.peak[k] = Math.max(this.peak[k], now[k]);
    }
  }

  held(k: HeldKey): Held {
    return { mean: this.looks === 0 ? 0 : Math.round((this.sum[k] / this.looks) * 1000) / 1000, peak: this.peak[k] };
  }
}

/** One look at the hub: its TCP connections' holdings summed, and its role's. */
function look(view: RunView, hub: string): Record<HeldKey, number> {
  const now = { tcpConnections: 0, sendQueueBytes: 0, scoreboardSegments: 0, outOfOrderBytes: 0, retransmitTimers: 0, delayedAckTimers: 0 };
  for (const conn of view.connections(hub)) {
    const h = conn.engine.holding;
    if (h.state === 'CLOSED') continue;
    now.tcpConnections++;
    now.sendQueueBytes += h.sendQueueBytes;
    now.scoreboardSegments += h.scoreboardSegments;
    now.outOfOrderBytes += h.outOfOrderBytes;
    if (h.retransmitTimer) now.retransmitTimers++;
    if (h.delayedAckTimer) now.delayedAckTimers++;
  }
  const role = view.role(hub) ?? {};
  return {
    ...now,
    appConnections: role['connections'] ?? 0,
    appTimers: role['timers'] ?? 0,
    queuedMessages: role['queuedMessages'] ?? 0,
    inflightMessages: role['inflightMessages'] ?? 0,
  };
}

export function runServerLoadStep(step: ServerLoadStep): HubLoad {
  const parsed = parseScenario(serverLoadScenario(step.hub, step));
  if (!parsed.ok) throw new Error(`the server-load scenario is not valid: ${parsed.errors.join('; ')}`);
  const hub = SERVER_HUB_NODE[step.hub];
  const from = WINDOW_START_S * 1e6;
  const to = (WINDOW_START_S + WINDOW_S) * 1e6;
  const looks = new Looks();
  const count = { sent: 0, received: 0, dropped: 0, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
  const upLink = `${hub}->core`;
  const downLink = `core->${hub}`;
  const sink = {
    emit(r: TraceRecord): void {
      if (r.t < from || r.t >= to) return;
      if (r.kind === 'link-send') {
        if (r.link === upLink) {
          count.packetsOut++;
          count.bytesOut += r.bytes;
        } else if (r.link === downLink) {
          count.packetsIn++;
          count.bytesIn += r.bytes;
        }
      } else if (r.kind === 'app-send') count.sent++;
      else if (r.kind === 'app-deliver' && r.duplicate !== true) count.received++;
      else if (r.kind === 'mqtt-event' && r.event === 'queue-full') count.dropped++;
    },
  };
  runScenario(
    parsed.scenario,
    watched({
      seed: step.seed,
      keepTrace: false,
      sinks: [sink],
      probes: [{ fromUs: from, everyUs: PROBE_EVERY_MS * 1000, read: (view) => (view.now < to ? looks.add(look(view, hub)) : undefined) }],
    }),
  );
  const load = { kind: step.hub, devices: step.devices, ...count } as HubLoad;
  for (const k of HELD_KEYS) load[k] = looks.held(k);
  return load;
}

/** One run of the plan (the page's widget asks for each in turn). */
export const serverLoadStep = defineCourseModule({
  name: 'serverLoadStep',
  input: z.strictObject({ ...serverLoadFields, hub: z.enum(['mqtt', 'ws']) }) satisfies z.ZodType<ServerLoadStep>,
  defaults: { ...SERVERLOAD_DEFAULTS, hub: 'mqtt' } satisfies ServerLoadStep,
  run: runServerLoadStep,
});

declare module './module.ts' {
  interface CourseModules {
    serverLoadStep: typeof serverLoadStep;
  }
}
