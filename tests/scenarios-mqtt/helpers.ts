/** Runs MQTT scenarios through the whole simulator and reads the results back. */
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { flowMetrics, type FlowMetrics } from '../../simulator/metrics/index.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

export interface MqttRun {
  trace: TraceRecord[];
  flows: FlowMetrics[];
  flow(from: string, to: string): FlowMetrics;
  /** Records of one kind, typed. */
  of<K extends TraceRecord['kind']>(kind: K): Array<Extract<TraceRecord, { kind: K }>>;
}

export function runMqtt(nodes: unknown[], durationS: number, link: Record<string, unknown> = {}, broker: Record<string, unknown> = {}): MqttRun {
  const parsed = parseScenario({
    schema: 'wirelab/scenario@1', seed: 1, durationS,
    defaults: { link: { latencyMs: 25, jitterMs: 0, lossPct: 0, bandwidthKbps: 10000, ...link } },
    nodes: [{ id: 'broker', role: 'mqtt-broker', ...broker }, ...nodes],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const { trace } = runScenario(parsed.scenario);
  const flows = flowMetrics(trace);
  return {
    trace,
    flows,
    flow(from, to) {
      const f = flows.find((x) => x.from === from && x.to === to);
      if (f === undefined) throw new Error(`no flow ${from} -> ${to}`);
      return f;
    },
    of(kind) {
      return trace.filter((r) => r.kind === kind) as never;
    },
  };
}

/** Message numbers of app records of `kind` on flows from `from`. */
export function msgs(run: MqttRun, kind: 'app-send' | 'app-deliver' | 'app-lost', flowId: string): number[] {
  return run.trace.filter((r) => r.kind === kind && r.flow === flowId).map((r) => (r as { msg: number }).msg);
}
