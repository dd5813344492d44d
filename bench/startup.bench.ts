/**
 * Start-up of the CLI, which is most of a small command's time: `modelseal --version` (yargs loaded
 * as the one file `pnpm install` writes, and with MODELSEAL_YARGS_BUNDLE=off as the package's 45
 * modules) and a one-file `digest` (the CLI from the bundle `pnpm install` writes, and with
 * MODELSEAL_CLI_BUNDLE=off from its ~60 source modules) against `node -e 0` with the same Node. Runs are interleaved, so that neighbours on a
 * shared machine disturb every variant alike; medians and peak RSS.
 *
 *   pnpm bench startup [--runs=N]   (default 25)
 */
import { fileURLToPath } from 'node:url';
import { exec } from './exec.ts';
import { median, table } from './report.ts';

const CLI = fileURLToPath(new URL('../bin/modelseal', import.meta.url));
const TIME = '/usr/bin/time';
const README = fileURLToPath(new URL('../README.md', import.meta.url));

interface Variant {
  readonly label: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
}

const VARIANTS: readonly Variant[] = [
  { label: 'node -e 0 (baseline)', cmd: process.execPath, args: ['-e', '0'] },
  { label: 'modelseal --version', cmd: CLI, args: ['--version'] },
  {
    label: 'modelseal --version, yargs unbundled',
    cmd: CLI,
    args: ['--version'],
    env: { MODELSEAL_YARGS_BUNDLE: 'off' },
  },
  // a command's own modules too: a one-file digest, from the CLI bundle and from the sources
  { label: 'modelseal digest <one file>', cmd: CLI, args: ['digest', README, '--output', 'json'] },
  {
    label: 'modelseal digest <one file>, CLI unbundled',
    cmd: CLI,
    args: ['digest', README, '--output', 'json'],
    env: { MODELSEAL_CLI_BUNDLE: 'off' },
  },
];

export async function run(flags: string[]): Promise<void> {
  const runs = Number(flags.find((f) => f.startsWith('--runs='))?.slice(7) ?? 25);
  const ms = VARIANTS.map(() => [] as number[]);
  const rss = VARIANTS.map(() => 0);
  // one unmeasured round: fills Node's compile cache
  for (const v of VARIANTS) await once(v);
  for (let i = 0; i < runs; i++) {
    for (const [k, v] of VARIANTS.entries()) {
      const r = await once(v);
      ms[k]!.push(r.ms);
      rss[k] = Math.max(rss[k]!, r.rssKiB);
    }
  }
  const base = median(ms[0]!);
  const rows = [['what', 'median ms', 'over node -e 0', 'peak RSS MiB']];
  for (const [k, v] of VARIANTS.entries()) {
    const m = median(ms[k]!);
    rows.push([
      v.label,
      m.toFixed(1),
      k === 0 ? '' : `+${(m - base).toFixed(1)} ms`,
      (rss[k]! / 1024).toFixed(0),
    ]);
  }
  process.stdout.write(`${runs} interleaved runs each\n\n${table(rows)}\n`);
}

async function once(v: Variant): Promise<{ ms: number; rssKiB: number }> {
  const t0 = performance.now();
  const { stderr } = await exec(TIME, ['-f', 'RSS_KIB=%M', v.cmd, ...v.args], process.cwd(), v.env);
  const ms = performance.now() - t0;
  return { ms, rssKiB: Number(/RSS_KIB=(\d+)/.exec(stderr)?.[1] ?? 0) };
}
