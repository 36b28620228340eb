import cliProgress from 'cli-progress';

/** One bar: a phase of the run and how far it got. */
export interface ProgressBar {
  /** Adds `by` to the bar. */
  increment(by?: number): void;
  /** Marks the phase done: the bar gives way to one summary line. */
  stop(): void;
}

/**
 * Progress bars on stderr, so that stdout carries only the results table (and can be redirected
 * to a file). Only running phases have a bar; a finished phase leaves one line with its duration.
 * On a non-TTY stderr (CI logs) cli-progress draws nothing, and each phase prints a line when it
 * starts and when it ends.
 */
export class BenchProgress {
  private readonly tty = process.stderr.isTTY === true;
  private readonly bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: '{phase} |{bar}| {percentage}% {value}/{total} {unit} {duration_formatted}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      autopadding: true,
      // Postgres work keeps the event loop busy; redraw often enough to look alive, rarely enough to cost nothing.
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );

  /** A new bar labelled `phase`, counting `total` `unit`s. */
  bar(phase: string, total: number, unit: string): ProgressBar {
    const started = performance.now();
    if (!this.tty) process.stderr.write(`${phase}: ${total.toLocaleString('en-US')} ${unit}…\n`);
    const bar = this.tty ? this.bars.create(total, 0, { phase, unit }) : null;
    let done = false;
    return {
      increment: (by = 1) => bar?.increment(by),
      stop: () => {
        if (done) return;
        done = true;
        if (bar) this.bars.remove(bar);
        const seconds = (performance.now() - started) / 1_000;
        this.log(`✓ ${phase}: ${total.toLocaleString('en-US')} ${unit} in ${seconds.toFixed(1)} s`);
      },
    };
  }

  /** A line above the bars (or plainly on stderr when there are none). */
  log(message: string): void {
    if (this.tty) this.bars.log(`${message}\n`);
    else process.stderr.write(`${message}\n`);
  }

  /** Restores the cursor; call once at the end. */
  stop(): void {
    if (this.tty) this.bars.stop();
  }
}
