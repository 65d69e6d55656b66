/**
 * Simulated-time playback for animated widgets: a position in µs that advances with wall-clock
 * time while playing, at `speed` times real time. Widgets draw the snapshot "as of" `position`.
 *
 * With prefers-reduced-motion, `play()` still advances time, but widgets should draw without
 * smooth movement (see `reducedMotion()`); step and scrub work the same either way.
 */
import { stepTarget, type StepEvents } from './step.ts';

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10] as const;

export function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export class PlaybackClock {
  /** Current simulated time, µs. */
  position = $state(0);
  /** End of the timeline, µs. */
  duration = $state(0);
  playing = $state(false);
  /** Multiple of real time (0.1 to 10). */
  speed = $state(1);
  /** Simulated time one step moves, µs (when no `events` are given). */
  stepUs = $state(100_000);
  /**
   * When set, a step goes to the next (or previous) moment something happens, as this returns
   * it (undefined: nothing more that way, so the end or the start), instead of a fixed `stepUs`.
   */
  events: StepEvents | null = null;
  #frame = 0;
  #last = 0;

  constructor(options: { duration?: number; speed?: number; stepUs?: number } = {}) {
    this.duration = options.duration ?? 0;
    this.speed = options.speed ?? 1;
    this.stepUs = options.stepUs ?? 100_000;
  }

  play(): void {
    if (this.playing || typeof requestAnimationFrame !== 'function') return;
    if (this.position >= this.duration) this.position = 0;
    this.playing = true;
    this.#last = performance.now();
    const tick = (now: number) => {
      if (!this.playing) return;
      const dt = Math.min(now - this.#last, 100); // a background tab must not jump far ahead
      this.#last = now;
      this.seek(this.position + dt * 1000 * this.speed);
      if (this.position >= this.duration) {
        this.pause();
        return;
      }
      this.#frame = requestAnimationFrame(tick);
    };
    this.#frame = requestAnimationFrame(tick);
  }

  pause(): void {
    this.playing = false;
    if (this.#frame && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  step(direction: 1 | -1 = 1): void {
    this.pause();
    this.seek(stepTarget(this.position, this.duration, direction, this.stepUs, this.events));
  }

  seek(t: number): void {
    this.position = Math.round(Math.min(Math.max(0, t), this.duration));
  }
}
