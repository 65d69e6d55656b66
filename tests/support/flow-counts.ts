/**
 * Flow counts taken independently of simulator/metrics: straight from the records the roles wrote
 * (`app-send` by the sending role, `app-deliver` by the receiving role, `app-lost` by whoever
 * declared a message lost). `inFlight` is defined as sent - delivered - lost, so adding it back
 * proves nothing (docs/ARCHITECTURE.md "Metrics"); these checks compare each count with its own
 * source instead, and hold the roles to the rules the metrics rely on.
 */
import { expect } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import type { FlowMetrics } from '../../simulator/metrics/flows.ts';

export interface RoleCounts {
  /** Distinct messages the sending role issued (app-send). */
  issued: number;
  /** Distinct issued messages the receiving role recorded at least once (app-deliver). */
  received: number;
  /** app-deliver records beyond the first of each received message. */
  extraDeliveries: number;
  /** Distinct issued messages declared lost (app-lost). */
  declaredLost: number;
  /** Messages both received and declared lost, messages declared lost twice, and records about messages never issued. */
  problems: string[];
}

/** Counts one flow's messages from the trace, without the metrics reducer. */
export function roleCounts(trace: readonly TraceRecord[], flow: string): RoleCounts {
  const issued = new Set<number>();
  const deliveries = new Map<number, number>();
  const lost = new Map<number, number>();
  for (const r of trace) {
    if (r.kind === 'app-send' && r.flow === flow) issued.add(r.msg);
    else if (r.kind === 'app-deliver' && r.flow === flow) deliveries.set(r.msg, (deliveries.get(r.msg) ?? 0) + 1);
    else if (r.kind === 'app-lost' && r.flow === flow) lost.set(r.msg, (lost.get(r.msg) ?? 0) + 1);
  }
  const problems: string[] = [];
  let received = 0;
  let extraDeliveries = 0;
  for (const [msg, n] of deliveries) {
    if (!issued.has(msg)) problems.push(`msg ${msg} delivered but never sent`);
    else {
      received++;
      extraDeliveries += n - 1;
    }
  }
  let declaredLost = 0;
  for (const [msg, n] of lost) {
    if (!issued.has(msg)) problems.push(`msg ${msg} declared lost but never sent`);
    else if (deliveries.has(msg)) problems.push(`msg ${msg} delivered and declared lost`);
    else declaredLost++;
    if (n > 1) problems.push(`msg ${msg} declared lost ${n} times`);
  }
  return { issued: issued.size, received, extraDeliveries, declaredLost, problems };
}

/**
 * Every flow's metrics agree with the roles' own records, nothing is negative, and the roles kept
 * the rules: a message is lost only if it was sent and never delivered, and only once.
 */
export function expectFlowsMatchRoles(trace: readonly TraceRecord[], flows: readonly Pick<FlowMetrics, 'flow' | 'sent' | 'delivered' | 'duplicates' | 'lost' | 'inFlight'>[]): void {
  for (const f of flows) {
    const c = roleCounts(trace, f.flow);
    expect(c.problems, f.flow).toEqual([]);
    expect([f.sent, f.delivered, f.duplicates, f.lost], `${f.flow}: sent, delivered, duplicates, lost`).toEqual([c.issued, c.received, c.extraDeliveries, c.declaredLost]);
    expect(f.inFlight, `${f.flow}: inFlight`).toBeGreaterThanOrEqual(0);
  }
}
