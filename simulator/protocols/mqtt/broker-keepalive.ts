/**
 * The broker's keepalive deadline for one connection (a pure function, used by the timer and by
 * the check itself).
 */
import type { Micros } from '../../core/time.ts';

/**
 * When the broker cuts off a silent client. [MQTT-3.1.2-24]: once nothing came for one and a half
 * times the keepalive. mosquitto counts whole seconds of its clock: a client whose last packet came
 * in during second L is due in second L + keepalive * 3 / 2 (C integer division) and is cut off
 * when that second is over, at L + keepalive * 3 / 2 + 1 (2.0.21 src/keepalive.c, the ring buffer
 * backported for issue #3138: `calc_index`, and `keepalive__check` handling each second `i < now_s`).
 * So between 1.5 x keepalive and one second more after the last packet (keepalive 2 s: measured
 * 3.06 to 3.86 s with 2.0.21). Debian's 2.0.11 checked the same condition only at sweeps every 6
 * whole seconds (`last_keepalive_check + 5 < now_s`; measured 3.76 to 9.02 s): `sweepS` 6. `sweepS`
 * 0 gives the specification's exact bound. The broker's clock starts at second 0 with the run.
 * (tests/conformance/offline-mosquitto.test.ts holds the engine to both builds.)
 */
export function keepaliveDeadline(conn: { lastReceived: Micros; keepalive: number }, sweepS: number): Micros {
  if (sweepS === 0) return conn.lastReceived + conn.keepalive * 1_500_000;
  const lastS = Math.floor(conn.lastReceived / 1_000_000);
  const dueS = lastS + Math.floor((conn.keepalive * 3) / 2) + 1;
  return Math.ceil(dueS / sweepS) * sweepS * 1_000_000;
}
