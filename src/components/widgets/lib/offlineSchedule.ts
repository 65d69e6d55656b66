/**
 * Chapter 6's schedule edits, shared by the timeline and its table twin (pure functions, so both
 * follow the same rules: whole seconds, inside the timeline, no two outages of one device
 * overlapping), and the names the widget shows.
 */
import { STEP_S, TIMELINE_S, type DeviceId, type DeviceOutage } from '../../../worker/course/offline-types.ts';

export const DEVICE_NAMES: Record<DeviceId, string> = {
  thermo: 'Thermostat',
  door: 'Door sensor',
  phone: 'Phone',
  tablet: 'Tablet',
};

export const DEVICE_ROLES: Record<DeviceId, string> = {
  thermo: 'publishes home/temp, QoS 1, retained, every 2 s; will on home/thermo/status',
  door: 'publishes home/door, QoS 0, every 2 s; will on home/door/status',
  phone: 'subscribes to home/# at QoS 1',
  tablet: 'subscribes to home/# at QoS 1, clean session',
};

export const KIND_NAMES = { network: 'network lost', off: 'switched off (DISCONNECT)' } as const;

/** Most outages a schedule may hold (the input schema's limit). */
export const MAX_OUTAGES = 12;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The free span around `at` on `device`'s row, ignoring outage `skip` (an index). */
function freeSpan(outages: readonly DeviceOutage[], device: DeviceId, skip: number): { lo: number; hi: number }[] {
  const busy = outages.filter((o, i) => i !== skip && o.device === device).sort((a, b) => a.atS - b.atS);
  const spans: { lo: number; hi: number }[] = [];
  let lo = 0;
  for (const o of busy) {
    if (o.atS > lo) spans.push({ lo, hi: o.atS });
    lo = Math.max(lo, o.atS + o.forS);
  }
  if (lo < TIMELINE_S) spans.push({ lo, hi: TIMELINE_S });
  return spans;
}

/** Outage `index` moved to start at `atS` (kept whole, inside its free span: it stops at a neighbour). */
export function moveOutage(outages: readonly DeviceOutage[], index: number, atS: number): DeviceOutage[] {
  const o = outages[index]!;
  const span = freeSpan(outages, o.device, index).find((s) => o.atS >= s.lo && o.atS < s.hi) ?? { lo: 0, hi: TIMELINE_S };
  const at = clamp(Math.round(atS / STEP_S) * STEP_S, span.lo, Math.max(span.lo, span.hi - o.forS));
  return outages.map((x, i) => (i === index ? { ...x, atS: at } : x));
}

/** Outage `index` with its end at `endS` (at least one step long, not past a neighbour or the timeline). */
export function resizeOutage(outages: readonly DeviceOutage[], index: number, endS: number): DeviceOutage[] {
  const o = outages[index]!;
  const span = freeSpan(outages, o.device, index).find((s) => o.atS >= s.lo && o.atS < s.hi) ?? { lo: 0, hi: TIMELINE_S };
  const end = clamp(Math.round(endS / STEP_S) * STEP_S, o.atS + STEP_S, span.hi);
  return outages.map((x, i) => (i === index ? { ...x, forS: end - o.atS } : x));
}

/** Outage `index` with its start at `startS`, its end kept. */
export function resizeStart(outages: readonly DeviceOutage[], index: number, startS: number): DeviceOutage[] {
  const o = outages[index]!;
  const end = o.atS + o.forS;
  const span = freeSpan(outages, o.device, index).find((s) => o.atS >= s.lo && o.atS < s.hi) ?? { lo: 0, hi: TIMELINE_S };
  const at = clamp(Math.round(startS / STEP_S) * STEP_S, span.lo, end - STEP_S);
  return outages.map((x, i) => (i === index ? { ...x, atS: at, forS: end - at } : x));
}

/** A new outage on `device` at `atS` (or the first free place), `forS` long or as long as fits; null when the row is full. */
export function addOutage(outages: readonly DeviceOutage[], device: DeviceId, atS: number, forS = 10, kind: DeviceOutage['kind'] = 'network'): DeviceOutage[] | null {
  if (outages.length >= MAX_OUTAGES) return null;
  const spans = freeSpan(outages, device, -1);
  const at = Math.round(atS / STEP_S) * STEP_S;
  const span = spans.find((s) => at >= s.lo && at < s.hi) ?? spans.find((s) => s.hi - s.lo >= STEP_S);
  if (span === undefined) return null;
  const start = clamp(at, span.lo, span.hi - STEP_S);
  return [...outages, { device, atS: start, forS: Math.max(STEP_S, Math.min(forS, span.hi - start)), kind }];
}

export function removeOutage(outages: readonly DeviceOutage[], index: number): DeviceOutage[] {
  return outages.filter((_, i) => i !== index);
}

export function toggleKind(outages: readonly DeviceOutage[], index: number): DeviceOutage[] {
  return outages.map((x, i) => (i === index ? { ...x, kind: x.kind === 'network' ? 'off' : 'network' } : x));
}

/** "Phone: switched off (DISCONNECT) from 10 s to 30 s" (an outage from 0 s: "Tablet: joins at 40 s, late"); it holds the timeline's visible label. */
export function describeOutage(o: DeviceOutage): string {
  if (o.atS === 0) return `${DEVICE_NAMES[o.device]}: joins at ${o.forS} s, late`;
  return `${DEVICE_NAMES[o.device]}: ${KIND_NAMES[o.kind]} from ${o.atS} s to ${o.atS + o.forS} s`;
}
