/**
 * What signing and verifying cost on top of hashing: `modelseal sign` and `modelseal verify`
 * (child processes, start-up included) against `modelseal digest` of the same files in the same
 * run, which is the baseline (its own ratio to openssl is the hashing benchmark's job).
 * Ratios near 1.0 mean the signature work is lost in the hashing; peak RSS is the verifier's.
 *
 *   pnpm bench signverify [--runs=N] [--quick]   (--quick: skip the 4 GiB model)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDataset, makeModel } from './fixtures.ts';

const CLI = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
const GiB = 2 ** 30;

interface Case {
  readonly label: string;
  readonly dir: string;
  readonly bytes: number;
}

export async function run(flags: string[]): Promise<void> {
  const runs = Number(flags.find((f) => f.startsWith('--runs='))?.slice(7) ?? 3);
  const cases: Case[] = [{ label: 'dataset 20,000 x 4 KiB', ...makeDataset('dataset-20k', 20_000, 4096) }];
  if (!flags.includes('--quick')) {
    cases.unshift({
      label: 'model 4.06 GiB, 5 files',
      ...makeModel('model-4gib', [GiB, GiB, GiB, GiB, 64 << 20]),
    });
  }
  const work = mkdtempSync(join(tmpdir(), 'modelseal-bench-'));
  try {
    const prefix = join(work, 'k');
    await exec(process.execPath, [CLI, 'keygen', '--output-key-prefix', prefix], work);
    process.stdout.write(`${runs} alternating runs per case, medians; ratio = digest s / command s\n\n`);
    const rows = [
      ['case', 'digest s', 'sign s', 'verify s', 'sign ratio', 'verify ratio', 'verify peak RSS MiB'],
    ];
    for (const c of cases) {
      // The bundle lives outside the data so the shared fixtures stay exactly as generated.
      const bundle = join(work, `${c.label.replace(/\W+/g, '-')}.sig`);
      const t = { digest: [] as number[], sign: [] as number[], verify: [] as number[] };
      let rss = 0;
      for (let i = 0; i < runs; i++) {
        const order =
          i % 2 === 0 ? (['digest', 'sign', 'verify'] as const) : (['verify', 'sign', 'digest'] as const);
        for (const what of i === 0 ? (['sign', 'digest', 'verify'] as const) : order) {
          warm(c.dir);
          const args =
            what === 'digest'
              ? ['digest', c.dir, '--output', 'json']
              : what === 'sign'
                ? ['sign', c.dir, '--key', `${prefix}.key`, '--bundle', bundle]
                : ['verify', c.dir, '--key', `${prefix}.pub`, '--bundle', bundle];
          const s = await timed(args, c.dir);
          t[what].push(s.seconds);
          if (what === 'verify') rss = Math.max(rss, s.maxRssKiB);
        }
      }
      const d = median(t.digest);
      const sg = median(t.sign);
      const v = median(t.verify);
      rows.push([
        c.label,
        d.toFixed(3),
        sg.toFixed(3),
        v.toFixed(3),
        (d / sg).toFixed(2),
        (d / v).toFixed(2),
        (rss / 1024).toFixed(0),
      ]);
    }
    process.stdout.write(`${table(rows)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function warm(dir: string): void {
  const r = spawnSync('sh', ['-c', 'find . -type f -print0 | xargs -0 cat > /dev/null'], { cwd: dir });
  if (r.status !== 0) throw new Error(`warming ${dir} failed: ${r.stderr}`);
}

/** GNU time reports the child's peak RSS; stdout is discarded so no pipe reader is measured. */
async function timed(args: string[], cwd: string): Promise<{ seconds: number; maxRssKiB: number }> {
  const t0 = performance.now();
  const { stderr } = await exec('/usr/bin/time', ['-f', 'RSS_KIB=%M', process.execPath, CLI, ...args], cwd);
  const seconds = (performance.now() - t0) / 1000;
  const m = /RSS_KIB=(\d+)/.exec(stderr);
  return { seconds, maxRssKiB: m ? Number(m[1]) : 0 };
}

function exec(cmd: string, args: readonly string[], cwd: string): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0
        ? resolve({ stderr })
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`)),
    );
  });
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function table(rows: string[][]): string {
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ')).join('\n');
}
