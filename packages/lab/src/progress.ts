/**
 * Progress bars for the lab's long loops, written to stderr so that stdout keeps only the
 * summary. On a terminal a bar redraws in place; elsewhere (CI logs, pipes) each bar prints one
 * line when it finishes, so logs stay short.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** false: print nothing at all (--quiet). */
  enabled?: boolean;
}

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`);

export class Progress {
  private done = 0;
  private info = '';
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly stream: ProgressStream;
  private readonly enabled: boolean;

  constructor(
    readonly label: string,
    readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.enabled = options.enabled ?? true;
    this.draw(true);
  }

  /** Advances by `steps`; `info` (e.g. "loss 0.42") shows beside the bar. */
  tick(steps = 1, info?: string): void {
    this.done = Math.min(this.total, this.done + steps);
    if (info !== undefined) this.info = info;
    this.draw(false);
  }

  /** Completes the bar with a final line. */
  finish(info?: string): void {
    if (info !== undefined) this.info = info;
    this.done = this.total;
    if (!this.enabled) return;
    const line = `${this.label} ${this.bar()} ${this.total}/${this.total} in ${seconds(performance.now() - this.started)}${this.info ? `  ${this.info}` : ''}`;
    this.stream.write(this.stream.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  private bar(width = 24): string {
    const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
    return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  }

  private draw(force: boolean): void {
    if (!this.enabled || !this.stream.isTTY) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const elapsed = now - this.started;
    const eta = this.done > 0 ? ` eta ${seconds((elapsed / this.done) * (this.total - this.done))}` : '';
    const line = `${this.label} ${this.bar()} ${this.done}/${this.total}${eta}${this.info ? `  ${this.info}` : ''}`;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
  }
}
