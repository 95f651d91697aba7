/** A console progress bar for training: one line, redrawn in place on a TTY, plain lines otherwise. */
export interface ProgressBar {
  update(done: number, note?: string): void;
  finish(note?: string): void;
}

/** Starts a bar labelled `label` for `total` steps, written to stderr so stdout stays parseable. */
export function progressBar(label: string, total: number): ProgressBar {
  // Under node:test (which sets NODE_TEST_CONTEXT) bars would only clutter the test report.
  if (process.env['NODE_TEST_CONTEXT']) return { update() {}, finish() {} };
  const tty = process.stderr.isTTY;
  const width = 28;
  const started = performance.now();
  let lastPlain = -1;
  const render = (done: number, note = '') => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(share * width);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    return `${label.padEnd(18)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${secs}s ${note}`;
  };
  return {
    update(done, note) {
      if (tty) process.stderr.write(`\r${render(done, note)}\x1b[K`);
      else {
        // Without a TTY (CI logs) print at most every 10 %, never a flood of lines.
        const decile = Math.floor((done / Math.max(total, 1)) * 10);
        if (decile !== lastPlain) {
          lastPlain = decile;
          process.stderr.write(`${render(done, note)}\n`);
        }
      }
    },
    finish(note) {
      process.stderr.write(`${tty ? '\r' : ''}${render(total, note)}${tty ? '\x1b[K' : ''}\n`);
    },
  };
}
