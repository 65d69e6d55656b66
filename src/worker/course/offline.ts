/**
 * Chapter 6, "Offline clients": devices that go offline on a schedule the reader draws; what each
 * subscriber got of each message over MQTT (kept sessions and their bounded queues, QoS 0 not
 * queued, retained messages for late joiners, the Last Will) and over WebSocket with what an
 * application must build for the same (./offline-run.ts). The prose's figures and the chapter's
 * questions are computed here from named runs.
 */
import * as z from 'zod';
import { defineCourseModule } from './module.ts';
import { courseOffline } from './offline-run.ts';
import { offlineChecks } from './offline-checks.ts';
import { offlineFigures } from './offline-figures.ts';
import { DEVICES, OFFLINE_DEFAULTS, type OfflineInput, TIMELINE_S } from './offline-types.ts';

export const offlineInput = z.strictObject({
  outages: z
    .array(
      z.strictObject({
        device: z.enum(DEVICES),
        atS: z.int().min(0).max(TIMELINE_S - 1),
        forS: z.int().min(1).max(TIMELINE_S),
        kind: z.enum(['network', 'off']),
      }),
    )
    .max(12),
  keepaliveS: z.int().min(2).max(60),
  maxQueued: z.int().min(1).max(1000),
  phoneSession: z.enum(['kept', 'clean']),
  mqttVersion: z.enum(['3.1.1', '5']),
  willDelayS: z.int().min(0).max(60),
  seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<OfflineInput>;

export const offline = defineCourseModule({
  name: 'offline',
  input: offlineInput,
  defaults: OFFLINE_DEFAULTS,
  run: courseOffline,
  figures: offlineFigures,
  checks: () => offlineChecks(),
});

declare module './module.ts' {
  interface CourseModules {
    offline: typeof offline;
  }
}
