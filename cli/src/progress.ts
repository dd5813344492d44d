/**
 * The hashing progress line on a terminal: bytes done of the total, throughput and time left,
 * redrawn at most every 100 ms once the work has lasted a second. Silent when stderr is not a
 * terminal, so logs and pipes get no carriage returns.
 */

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  update(done: number, total: number): void;
  end(): void;
}

const SHOW_AFTER_MS = 1000;
const REDRAW_MS = 100;

export function progressReporter(
  label: string,
  sink: ProgressSink = process.stderr,
  now: () => number = Date.now,
): Progress {
  const tty = sink.isTTY === true;
  const started = now();
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const t = now();
      if (t - started < SHOW_AFTER_MS || t - last < REDRAW_MS) return;
      last = t;
      shown = true;
      sink.write(`\r${formatProgress(label, done, total, t - started)}\x1b[K`);
    },
    end() {
      if (shown) sink.write('\r\x1b[K');
    },
  };
}

/** One progress line (pure, for tests): `label [####....]  42%  1.2 GiB / 2.9 GiB  1.4 GB/s  ETA 2s` */
export function formatProgress(label: string, done: number, total: number, elapsedMs: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const width = 20;
  const filled = Math.round(frac * width);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const left = total > done && rate > 0 ? (total - done) / rate : undefined;
  return [
    `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
    `${(frac * 100).toFixed(0).padStart(3)}%`,
    `${bytes(done)} / ${bytes(total)}`,
    rate >= 1e9 ? `${(rate / 1e9).toFixed(2)} GB/s` : `${(rate / 1e6).toFixed(0)} MB/s`,
    `ETA ${left === undefined ? '--' : duration(left)}`,
  ].join('  ');
}

function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(0)} KiB`;
}

function duration(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
