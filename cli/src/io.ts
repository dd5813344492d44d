/**
 * Output discipline: payloads (JSON, digests, bundles) go to stdout; progress, verdicts and
 * errors go to stderr, so `modelseal digest m > out.json` stays clean.
 */
export type OutputFormat = 'text' | 'json';

export const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

export const err = (text: string): void => {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
};

export const outJson = (value: unknown): void => out(JSON.stringify(value, null, 2));

/** A progress bar on a TTY for work that lasts over a second; silent otherwise. */
export function progressReporter(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - started < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const filled = Math.round(frac * width);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%`,
      );
    },
    end() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
