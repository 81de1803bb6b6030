/**
 * A one-line progress bar on stderr for long admin commands. On a terminal it redraws in place; in
 * a log or pipe it writes one line per finished step instead of a stream of carriage returns.
 */
export class ProgressBar {
  #label = '';
  #lastDraw = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {}

  update(label: string, done: number, total: number): void {
    if (label !== this.#label) this.#finishLine();
    this.#label = label;
    const finished = done >= total;
    if (this.out.isTTY) {
      // Redrawing more than ~20 times a second only costs time.
      const now = Date.now();
      if (!finished && now - this.#lastDraw < 50) return;
      this.#lastDraw = now;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * this.width);
      const bar = '#'.repeat(filled) + '-'.repeat(this.width - filled);
      this.out.write(
        `\r${label.padEnd(20)} [${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${done}/${total}`,
      );
    } else if (finished) {
      this.out.write(`${label}: ${done}/${total}\n`);
      this.#label = '';
    }
  }

  /** Ends the current line (call before printing anything else). */
  done(): void {
    this.#finishLine();
  }

  #finishLine(): void {
    if (this.out.isTTY && this.#label !== '') this.out.write('\n');
    this.#label = '';
  }
}
