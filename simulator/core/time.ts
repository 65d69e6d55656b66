/**
 * Simulated time. Every clock in Wirelab is an integer number of microseconds since the start
 * of a run: integers keep event order exact and runs byte-identical on every machine.
 */
export type Micros = number;

export const MICROS_PER_MS = 1_000;
export const MICROS_PER_S = 1_000_000;

/** Milliseconds to microseconds, rounded to the nearest microsecond. */
export function ms(value: number): Micros {
  return Math.round(value * MICROS_PER_MS);
}

/** Seconds to microseconds, rounded to the nearest microsecond. */
export function s(value: number): Micros {
  return Math.round(value * MICROS_PER_S);
}

/** Microseconds to (fractional) milliseconds, for reports. */
export function toMs(value: Micros): number {
  return value / MICROS_PER_MS;
}
