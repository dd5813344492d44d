/**
 * Incremental re-signing: `modelseal sign --incremental` of a 4.06 GiB model after one file
 * changed, against a full `modelseal sign` of the same model in the same run (alternating, page
 * cache warmed before each). Both are whole processes (start-up, key loading, signing included).
 * Two cases: the 64 MiB file changed, and a 1 GiB file changed (that file alone is hashed again).
 *
 *   pnpm bench incremental [--runs=N]
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, warm } from './exec.ts';
import { makeModel } from './fixtures.ts';
import { median, table } from './report.ts';

const CLI = fileURLToPath(new URL('../bin/modelseal', import.meta.url));
const TIME = '/usr/bin/time';
const GiB = 2 ** 30;

interface Sample {
  readonly seconds: number;
  readonly maxRssKiB: number;
  readonly hashed?: number;
}

/** Changes 4 KiB in the middle of a file, in place (same inode and size; mtime and ctime move). */
function touchContent(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, randomBytes(4096), 0, 4096, Math.floor(statSync(path).size / 2));
  } finally {
    closeSync(fd);
  }
}

async function sign(dir: string, args: readonly string[]): Promise<Sample> {
  const t0 = performance.now();
  const { stderr } = await exec(TIME, ['-f', 'rss %M', CLI, 'sign', dir, ...args], dir);
  const seconds = (performance.now() - t0) / 1000;
  const rss = Number(/rss (\d+)/.exec(stderr)?.[1] ?? 0);
  const hashed = /incremental: \d+ file\(s\) unchanged, (\d+) hashed/.exec(stderr)?.[1];
  return { seconds, maxRssKiB: rss, ...(hashed ? { hashed: Number(hashed) } : {}) };
}

export async function run(flags: string[]): Promise<void> {
  const runs = Number(flags.find((f) => f.startsWith('--runs='))?.slice(7) ?? 3);
  // its own copy: this benchmark edits files, the hashing benchmark's model must stay as made
  const model = makeModel('model-4gib-incremental', [GiB, GiB, GiB, GiB, 64 << 20]);
  const work = mkdtempSync(join(tmpdir(), 'modelseal-bench-incr-'));
  try {
    await exec(CLI, ['keygen', '--output-key-prefix', join(work, 'k')], work);
    const key = ['--key', join(work, 'k.key')];
    const incremental = [...key, '--incremental', '--digest-cache', join(work, 'cache')];
    // files younger than a second are never trusted from the cache (racy rule): age the stamps
    const old = new Date(Date.now() - 3600_000);
    for (const f of model.files) utimesSync(join(model.dir, f), old, old);
    await new Promise((r) => setTimeout(r, 1100));
    warm(model.dir);
    await sign(model.dir, incremental); // fills the cache
    const cases = [
      { label: '64 MiB file changed', file: model.files[4]! },
      { label: '1 GiB file changed', file: model.files[1]! },
    ];
    const rows = [
      [
        'case',
        'full re-sign s',
        'incremental s',
        'ratio (incr/full)',
        'hashed files',
        'peak RSS MiB (full/incr)',
      ],
    ];
    for (const c of cases) {
      const full: Sample[] = [];
      const incr: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        warm(model.dir);
        full.push(await sign(model.dir, key));
        touchContent(join(model.dir, c.file));
        warm(model.dir);
        incr.push(await sign(model.dir, incremental));
      }
      const f = median(full.map((s) => s.seconds));
      const m = median(incr.map((s) => s.seconds));
      rows.push([
        c.label,
        f.toFixed(3),
        m.toFixed(3),
        (m / f).toFixed(3),
        incr.map((s) => s.hashed ?? '?').join('/'),
        `${(Math.max(...full.map((s) => s.maxRssKiB)) / 1024).toFixed(0)}/${(Math.max(...incr.map((s) => s.maxRssKiB)) / 1024).toFixed(0)}`,
      ]);
    }
    process.stdout.write(
      `model 4.06 GiB (4 x 1 GiB + 64 MiB), files/sha256, ${runs} alternating runs per case, medians; target: incremental < 1 s\n`,
    );
    process.stdout.write(`${table(rows)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
