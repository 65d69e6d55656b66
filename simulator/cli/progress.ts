/**
 * A progress bar on stderr, drawn only when stderr is a terminal: pipes and files stay clean,
 * so output stays byte-identical whatever the terminal.
 */
import type { OutputStream } from './io.ts';

export class ProgressBar {
  #lastDrawn = -1;
  readonly #enabled: boolean;

  constructor(
    readonly stream: OutputStream,
    readonly label: string,
  ) {
    this.#enabled = stream.isTTY === true;
  }

  /** `fraction` in [0, 1]; redraws when the whole percent changes. */
  update(fraction: number): void {
    if (!this.#enabled) return;
    const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
    if (pct === this.#lastDrawn) return;
    this.#lastDrawn = pct;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - this.label.length - 10));
    const filled = Math.round((pct / 100) * width);
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%`);
  }

  /** Erases the bar. */
  done(): void {
    if (!this.#enabled || this.#lastDrawn < 0) return;
    this.stream.write('\r\x1b[2K');
    this.#lastDrawn = -1;
  }
}
