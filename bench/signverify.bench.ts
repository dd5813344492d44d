import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, warm } from './exec.ts';
import { makeDataset, makeModel } from './fixtures.ts';
import { median, table } from './report.ts';

const CLI = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
const GiB = 2 ** 30;
const STEPS = ['openssl', 'digest', 'sign', 'verify'] as const;
type Step = (typeof STEPS)[number];

interface Case {
  readonly label: string;
  readonly dir: string;
  readonly files: readonly string[];
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
    process.stdout.write(
      `${runs} alternating runs per case, medians; ratio = openssl 2-process s / command s\n\n`,
    );
    const rows = [
      [
        'case',
        'openssl 2p s',
        'digest s',
        'sign s',
        'verify s',
        'sign ratio',
        'verify ratio',
        'verify RSS MiB',
      ],
    ];
    for (const c of cases) {
      // The bundle lives outside the data so the shared fixtures stay exactly as generated.
      const bundle = join(work, `${c.label.replace(/\W+/g, '-')}.sig`);
      const t: Record<Step, number[]> = { openssl: [], digest: [], sign: [], verify: [] };
      let rss = 0;
      for (let i = 0; i < runs; i++) {
        // sign must come first once (verify needs its bundle); afterwards alternate the order.
        const order: readonly Step[] =
          i === 0
            ? ['sign', 'openssl', 'digest', 'verify']
            : i % 2
              ? ['verify', 'digest', 'openssl', 'sign']
              : STEPS;
        for (const what of order) {
          warm(c.dir);
          if (what === 'openssl') {
            t.openssl.push(await openssl(c));
            continue;
          }
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
      const [o, d, sg, v] = STEPS.map((k) => median(t[k])) as [number, number, number, number];
      rows.push([
        c.label,
        o.toFixed(3),
        d.toFixed(3),
        sg.toFixed(3),
        v.toFixed(3),
        (o / sg).toFixed(2),
        (o / v).toFixed(2),
        (rss / 1024).toFixed(0),
      ]);
    }
    process.stdout.write(`${table(rows)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function openssl(c: Case): Promise<number> {
  const half = Math.ceil(c.files.length / 2);
  const parts = [c.files.slice(0, half), c.files.slice(half)].filter((p) => p.length > 0);
  const t0 = performance.now();
  await Promise.all(parts.map((p) => exec('openssl', ['dgst', '-sha256', ...p], c.dir)));
  return (performance.now() - t0) / 1000;
}

/** GNU time reports the child's peak RSS; stdout is discarded so no pipe reader is measured. */
async function timed(args: string[], cwd: string): Promise<{ seconds: number; maxRssKiB: number }> {
  const t0 = performance.now();
  const { stderr } = await exec('/usr/bin/time', ['-f', 'RSS_KIB=%M', process.execPath, CLI, ...args], cwd);
  const seconds = (performance.now() - t0) / 1000;
  const m = /RSS_KIB=(\d+)/.exec(stderr);
  return { seconds, maxRssKiB: m ? Number(m[1]) : 0 };
}
