/**
 * Hashing throughput of `modelseal digest` (a child process, start-up included) against a
 * baseline measured in the same run on the same files: `openssl dgst -sha256` run as two
 * processes on two halves of the file list (the two-core ceiling of this machine) for SHA-256,
 * `b3sum` (multi-threaded, memory-mapped) for BLAKE3. Runs alternate and each is preceded by a
 * page-cache warm-up, because the VM drops the cache shortly after files were last read.
 * The ratio is baseline time / modelseal time (1.00 = as fast as the baseline).
 *
 * The small-file datasets run first and at least 11 times: a run takes 0.3 s, and single runs on
 * this shared VM spread over +-30 ms. Measured right after the 4 GiB model cases, the 20k median
 * came out 26 ms slower in one bench run (same commit), while openssl, which touches far less
 * memory, moved by 10 ms.
 *
 *   pnpm bench hashing [--runs=N] [--quick]   (--quick: skip the 100,000-file dataset)
 *
 * Sizes (environment, defaults in brackets): MODELSEAL_BENCH_BIG_GIB [4] the single BLAKE3 file
 * and the model's four files, MODELSEAL_BENCH_SMALL_FILES [20000], MODELSEAL_BENCH_MANY_FILES
 * [100000] (0 skips it); the files are 4 KiB. MODELSEAL_BENCH_ONLY=text runs only the cases whose
 * label contains it (e.g. BLAKE3).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exec, warm } from './exec.ts';
import { makeDataset, makeModel } from './fixtures.ts';
import { median, table } from './report.ts';

/** the documented entry point, as users run it (it also names Node's compile cache up front) */
const CLI = fileURLToPath(new URL('../bin/modelseal', import.meta.url));
const GiB = 2 ** 30;
const TIME = '/usr/bin/time';

type Baseline = 'openssl' | 'b3sum';

interface Case {
  readonly label: string;
  readonly dir: string;
  readonly files: readonly string[];
  readonly bytes: number;
  readonly digestArgs: readonly string[];
  readonly baseline: Baseline;
  /** at least this many runs, whatever --runs says */
  readonly minRuns?: number;
  /** the ratio (baseline time / modelseal time) this case should reach */
  readonly target?: number;
}

interface Sample {
  readonly seconds: number;
  /** user + system CPU seconds: a figure that neighbours on a shared VM disturb less than wall time */
  readonly cpu: number;
  readonly maxRssKiB?: number;
}

const envInt = (name: string, fallback: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? fallback : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
};

export async function run(flags: string[]): Promise<void> {
  const runs = Number(flags.find((f) => f.startsWith('--runs='))?.slice(7) ?? 3);
  const quick = flags.includes('--quick');
  const bigGiB = envInt('MODELSEAL_BENCH_BIG_GIB', 4);
  const small = envInt('MODELSEAL_BENCH_SMALL_FILES', 20_000);
  const many = quick ? 0 : envInt('MODELSEAL_BENCH_MANY_FILES', 100_000);
  if (spawnSync('openssl', ['version']).status !== 0) throw new Error('openssl is needed as the baseline');
  if (spawnSync('b3sum', ['--version']).status !== 0)
    throw new Error('b3sum is needed as the BLAKE3 baseline (apt-get install b3sum; scripts/ci-apt.sh)');
  if (spawnSync(TIME, ['true']).status !== 0)
    throw new Error(`${TIME} (GNU time) is needed to read the baselines' CPU time`);
  const big = Math.round(bigGiB * GiB);
  const cases: Case[] = [];
  const count = (n: number) => n.toLocaleString('en-US');
  if (small > 0)
    cases.push({
      label: `SHA-256 ${count(small)} x 4 KiB`,
      ...makeDataset(`dataset-${small}`, small, 4096),
      digestArgs: [],
      baseline: 'openssl',
      minRuns: 11,
      target: 0.6,
    });
  if (many > 0)
    cases.push({
      label: `SHA-256 ${count(many)} x 4 KiB`,
      ...makeDataset(`dataset-${many}`, many, 4096),
      digestArgs: [],
      baseline: 'openssl',
      minRuns: 5,
      target: 0.6,
    });
  if (big > 0) {
    const model = makeModel(`model-${bigGiB}gib`, [big / 4, big / 4, big / 4, big / 4, 64 << 20]);
    const single = makeModel(`single-${bigGiB}gib`, [big]);
    const gib = (model.bytes / GiB).toFixed(2);
    cases.push(
      {
        label: `BLAKE3 one ${bigGiB} GiB file`,
        ...single,
        digestArgs: ['--hash', 'blake3'],
        baseline: 'b3sum',
        target: 0.7,
      },
      {
        label: `BLAKE3 model ${gib} GiB, 5 files`,
        ...model,
        digestArgs: ['--hash', 'blake3'],
        baseline: 'b3sum',
      },
      {
        label: `SHA-256 model ${gib} GiB, 5 files`,
        ...model,
        digestArgs: [],
        baseline: 'openssl',
        target: 0.9,
      },
      {
        label: `SHA-256 model ${gib} GiB, shards 1e9`,
        ...model,
        digestArgs: ['--serialization', 'shards'],
        baseline: 'openssl',
      },
    );
  }

  const only = process.env.MODELSEAL_BENCH_ONLY;
  if (only) cases.splice(0, cases.length, ...cases.filter((c) => c.label.includes(only)));
  process.stdout.write(
    'model_signing (the Python reference) is not measured: it is not on the local PyPI mirror, so it cannot be installed here.\n',
  );
  process.stdout.write(
    `${runs} alternating runs per case (small-file datasets: more), medians; ratio = baseline time / modelseal time.\n` +
      'Baselines: openssl = `openssl dgst -sha256` as 2 processes on the two halves of the file list; b3sum = `b3sum` (its own threads, mmap).\n\n',
  );
  const rows: string[][] = [
    ['case', 'baseline', 'base s', 'modelseal s', 'GB/s', 'ratio', 'CPU s base/ms', 'peak RSS MiB', 'target'],
  ];
  for (const c of cases) {
    const base: Sample[] = [];
    const ms: Sample[] = [];
    for (let i = 0; i < Math.max(runs, c.minRuns ?? 0); i++) {
      // Alternate which goes first so neither always gets the fresher cache.
      const order = i % 2 === 0 ? [true, false] : [false, true];
      for (const isBase of order) {
        warm(c.dir);
        if (isBase) base.push(await (c.baseline === 'openssl' ? opensslTwoProcesses(c) : b3sum(c)));
        else ms.push(await modelsealDigest(c));
      }
    }
    const b = median(base.map((s) => s.seconds));
    const m = median(ms.map((s) => s.seconds));
    const rss = Math.max(...ms.map((s) => s.maxRssKiB ?? 0)) / 1024;
    const ratio = b / m;
    const verdict =
      c.target === undefined ? 'figures only' : `>= ${c.target}x: ${ratio >= c.target ? 'MET' : 'MISSED'}`;
    process.stdout.write(`done: ${c.label}: ${c.baseline} ${b.toFixed(3)} s, modelseal ${m.toFixed(3)} s\n`);
    rows.push([
      c.label,
      c.baseline,
      b.toFixed(3),
      m.toFixed(3),
      (c.bytes / m / 1e9).toFixed(2),
      ratio.toFixed(2),
      `${median(base.map((s) => s.cpu)).toFixed(2)}/${median(ms.map((s) => s.cpu)).toFixed(2)}`,
      rss.toFixed(0),
      verdict,
    ]);
  }
  process.stdout.write(`\n${table(rows)}\n`);
}

/** GNU time's user + system seconds, from each child's stderr */
function cpuOf(stderrs: readonly string[]): number {
  let cpu = 0;
  for (const e of stderrs) {
    const m = /cpu ([\d.]+) ([\d.]+)/.exec(e);
    if (m) cpu += Number(m[1]) + Number(m[2]);
  }
  return cpu;
}

async function opensslTwoProcesses(c: Case): Promise<Sample> {
  const half = Math.ceil(c.files.length / 2);
  const parts = [c.files.slice(0, half), c.files.slice(half)].filter((p) => p.length > 0);
  const t0 = performance.now();
  const runs = await Promise.all(
    parts.map((p) => exec(TIME, ['-f', 'cpu %U %S', 'openssl', 'dgst', '-sha256', ...p], c.dir)),
  );
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuOf(runs.map((r) => r.stderr)) };
}

async function b3sum(c: Case): Promise<Sample> {
  const t0 = performance.now();
  const r = await exec(TIME, ['-f', 'cpu %U %S', 'b3sum', ...c.files], c.dir);
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuOf([r.stderr]) };
}

async function modelsealDigest(c: Case): Promise<Sample> {
  const t0 = performance.now();
  // a model of one file is named by the file itself, as a user would
  const target = c.files.length === 1 ? `${c.dir}/${c.files[0]}` : c.dir;
  const { stderr } = await exec(
    CLI,
    ['digest', target, '--output', 'json', '--stats', ...c.digestArgs],
    c.dir,
  );
  const seconds = (performance.now() - t0) / 1000;
  const line = stderr.split('\n').find((l) => l.startsWith('{"stats"'));
  if (!line) throw new Error(`modelseal digest printed no --stats line: ${stderr}`);
  const stats = JSON.parse(line).stats;
  return { seconds, cpu: stats.cpuMs / 1000, maxRssKiB: stats.maxRssKiB };
}
