/**
 * The reporter's bounded work: a keyed queue that collapses bursts (a key added again while it
 * waits is one job), runs at most `concurrency` jobs at once, re-runs a key changed while its job
 * ran, and steps aside for admission: while `busy()` says reviews are in flight no job starts, for
 * at most `maxDeferMs` at a time so a webhook under constant load still reports. And a token bucket
 * for writes to the API server.
 */
export interface QueueConfig {
  /** a key waits this long after it was first added; later adds join the same job */
  readonly debounceMs: number;
  readonly concurrency: number;
  /** the longest a due job waits for busy() to clear */
  readonly maxDeferMs: number;
}

export interface WorkQueue<K> {
  add(key: K): void;
  /** keys waiting or running */
  readonly size: number;
  /** resolves once nothing waits or runs */
  idle(): Promise<void>;
  /** no new jobs; resolves when the running ones finished */
  stop(): Promise<void>;
}

export interface Clock {
  now(): number;
  setTimeout(f: () => void, ms: number): { unref?(): unknown };
}

const REALTIME: Clock = { now: Date.now, setTimeout: (f, ms) => setTimeout(f, ms) };
/** how often a deferred job looks at busy() again */
const BUSY_POLL_MS = 5;

export function createWorkQueue<K>(
  config: QueueConfig,
  work: (key: K) => Promise<void>,
  deps: { busy?: () => boolean; onError?: (key: K, e: unknown) => void; clock?: Clock } = {},
): WorkQueue<K> {
  const clock = deps.clock ?? REALTIME;
  // insertion order is due order: every key waits the same debounceMs
  const waiting = new Map<K, number>();
  const running = new Set<K>();
  const again = new Set<K>();
  let timerAt: number | undefined;
  let deferredSince: number | undefined;
  let stopped = false;
  let idlers: (() => void)[] = [];

  const settle = () => {
    if (waiting.size > 0 || running.size > 0) return;
    const done = idlers;
    idlers = [];
    for (const r of done) r();
  };

  const wake = (at: number) => {
    if (timerAt !== undefined && timerAt <= at) return;
    timerAt = at;
    clock
      .setTimeout(
        () => {
          timerAt = undefined;
          pump();
        },
        Math.max(0, at - clock.now()),
      )
      .unref?.();
  };

  const pump = () => {
    while (!stopped && running.size < config.concurrency) {
      const first = waiting.entries().next();
      if (first.done) break;
      const [key, due] = first.value;
      const now = clock.now();
      if (due > now) {
        wake(due);
        break;
      }
      if (deps.busy?.()) {
        deferredSince ??= now;
        if (now - deferredSince < config.maxDeferMs) {
          wake(now + BUSY_POLL_MS);
          break;
        }
      }
      deferredSince = undefined;
      waiting.delete(key);
      running.add(key);
      void work(key)
        .catch((e) => deps.onError?.(key, e))
        .finally(() => {
          running.delete(key);
          if (again.delete(key) && !stopped) waiting.set(key, clock.now());
          pump();
          settle();
        });
    }
    settle();
  };

  return {
    add(key) {
      if (stopped) return;
      if (running.has(key)) {
        again.add(key);
        return;
      }
      if (waiting.has(key)) return;
      const due = clock.now() + config.debounceMs;
      waiting.set(key, due);
      wake(due);
    },
    get size() {
      return waiting.size + running.size;
    },
    idle() {
      if (waiting.size === 0 && running.size === 0) return Promise.resolve();
      return new Promise((r) => idlers.push(r));
    },
    async stop() {
      stopped = true;
      waiting.clear();
      again.clear();
      while (running.size > 0) await new Promise((r) => setTimeout(r, 10));
      settle();
    },
  };
}

/** A token bucket: `take()` resolves when a token is there; callers beyond the burst are spaced out. */
export function createRateLimiter(
  config: { readonly perSecond: number; readonly burst: number },
  clock: Clock = REALTIME,
): { take(): Promise<void> } {
  let tokens = config.burst;
  let last = clock.now();
  return {
    take() {
      const now = clock.now();
      tokens = Math.min(config.burst, tokens + ((now - last) / 1000) * config.perSecond);
      last = now;
      // a reservation: the token may be in the future, and the next caller queues behind it
      tokens -= 1;
      if (tokens >= 0) return Promise.resolve();
      const waitMs = (-tokens / config.perSecond) * 1000;
      return new Promise((r) => {
        clock.setTimeout(r, waitMs);
      });
    },
  };
}
