import { describe, expect, it } from 'vitest';
import { createRateLimiter, createWorkQueue } from '../src/report-queue.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the reporter work queue', () => {
  it('collapses a burst of adds for one key into one job, after the debounce', async () => {
    const runs: string[] = [];
    const q = createWorkQueue({ debounceMs: 40, concurrency: 2, maxDeferMs: 1000 }, async (k: string) => {
      runs.push(k);
    });
    for (let i = 0; i < 50; i++) q.add('a');
    q.add('b');
    expect(q.size).toBe(2);
    await sleep(10);
    expect(runs).toEqual([]);
    await q.idle();
    expect(runs).toEqual(['a', 'b']);
  });

  it('never runs more than `concurrency` jobs at once, and runs them all', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const q = createWorkQueue({ debounceMs: 0, concurrency: 3, maxDeferMs: 1000 }, async (k: number) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      running--;
      done.push(k);
    });
    for (let i = 0; i < 30; i++) q.add(i);
    await q.idle();
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
  });

  it('runs a key again when it was added while its job ran, never twice at once', async () => {
    let running = 0;
    let overlap = false;
    let runs = 0;
    const q = createWorkQueue({ debounceMs: 0, concurrency: 4, maxDeferMs: 1000 }, async () => {
      running++;
      if (running > 1) overlap = true;
      runs++;
      await sleep(20);
      running--;
    });
    q.add('k');
    await sleep(5);
    q.add('k');
    q.add('k');
    await q.idle();
    expect(runs).toBe(2);
    expect(overlap).toBe(false);
  });

  it('waits while admission is busy, but at most maxDeferMs', async () => {
    let busy = true;
    const started: number[] = [];
    const t0 = Date.now();
    const q = createWorkQueue(
      { debounceMs: 0, concurrency: 1, maxDeferMs: 150 },
      async () => {
        started.push(Date.now() - t0);
      },
      { busy: () => busy },
    );
    q.add('a');
    await sleep(60);
    expect(started).toEqual([]);
    busy = false;
    await q.idle();
    expect(started[0]).toBeGreaterThanOrEqual(55);
    expect(started[0]).toBeLessThan(150);
    // under constant load it still moves, one job per maxDeferMs
    busy = true;
    const t1 = Date.now();
    q.add('b');
    await q.idle();
    expect(Date.now() - t1).toBeGreaterThanOrEqual(145);
  });

  it('a failing job is reported and does not stop the queue', async () => {
    const errors: string[] = [];
    const ok: string[] = [];
    const q = createWorkQueue(
      { debounceMs: 0, concurrency: 1, maxDeferMs: 0 },
      async (k: string) => {
        if (k === 'bad') throw new Error('boom');
        ok.push(k);
      },
      { onError: (k, e) => errors.push(`${k}: ${(e as Error).message}`) },
    );
    q.add('bad');
    q.add('good');
    await q.idle();
    expect(errors).toEqual(['bad: boom']);
    expect(ok).toEqual(['good']);
  });

  it('stop() drops what waits and takes no more', async () => {
    const runs: string[] = [];
    const q = createWorkQueue({ debounceMs: 30, concurrency: 1, maxDeferMs: 0 }, async (k: string) => {
      runs.push(k);
    });
    q.add('a');
    await q.stop();
    q.add('b');
    await sleep(60);
    expect(runs).toEqual([]);
    expect(q.size).toBe(0);
  });
});

describe('the write rate limiter', () => {
  it('lets a burst through at once, then spaces callers at the rate', async () => {
    const limiter = createRateLimiter({ perSecond: 50, burst: 5 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => limiter.take()));
    expect(Date.now() - t0).toBeLessThan(15);
    await Promise.all(Array.from({ length: 10 }, () => limiter.take()));
    // 10 more tokens at 50/s: about 200 ms
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
