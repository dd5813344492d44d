/**
 * Sign a 100,000-file dataset into the attestation store (`attest --type oms`: hash + OMS statement
 * + DSSE signature + store write) and verify it again (`verify-attestation`: hash + store lookup +
 * signature + policy), each a CLI process with start-up included, against `openssl dgst -sha256`
 * over the same files (two processes via xargs -P2: the two-core ceiling). Runs alternate, each after
 * a page-cache warm-up (the VM drops the cache shortly after files were last read).
 *
 *   pnpm bench provenance [--runs=N] [--files=N]      or   node bench/provenance.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, warm } from './exec.ts';
import { median, table } from './report.ts';

const CLI = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
const WORK = join(import.meta.dirname, '..', '.bench', 'provenance');
/** makes the child print its peak RSS (worker threads included) on exit */
const RSS_HOOK = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\n@@maxRssKiB='+process.resourceUsage().maxRSS+'\\n'))`;

interface Sample {
  readonly seconds: number;
  readonly maxRssKiB?: number;
}

export async function run(flags: string[]): Promise<void> {
  const runs = Number(flags.find((f) => f.startsWith('--runs='))?.slice(7) ?? 3);
  const count = Number(flags.find((f) => f.startsWith('--files='))?.slice(8) ?? 100_000);
  if (spawnSync('openssl', ['version']).status !== 0) throw new Error('openssl is needed as the baseline');
  const dataset = makeDataset(count, 4096);
  const keyDir = join(WORK, 'keys');
  if (!existsSync(join(keyDir, 'bench.key'))) {
    mkdirSync(keyDir, { recursive: true });
    await exec(process.execPath, [CLI, 'keygen', '--output-key-prefix', join(keyDir, 'bench')], WORK);
  }
  const store = join(WORK, 'store');

  const samples = { openssl: [] as Sample[], sign: [] as Sample[], verify: [] as Sample[] };
  for (let i = 0; i < runs; i++) {
    const order: (keyof typeof samples)[] =
      i % 2 === 0 ? ['openssl', 'sign', 'verify'] : ['sign', 'verify', 'openssl'];
    for (const what of order) {
      warm(dataset);
      if (what === 'openssl') samples.openssl.push(await openssl(dataset));
      else if (what === 'sign') {
        rmSync(store, { recursive: true, force: true });
        samples.sign.push(
          await cli([
            'attest',
            dataset,
            '--type',
            'oms',
            '--key',
            join(keyDir, 'bench.key'),
            '--store',
            store,
          ]),
        );
      } else {
        samples.verify.push(
          await cli([
            'verify-attestation',
            dataset,
            '--type',
            'oms',
            '--key',
            join(keyDir, 'bench.pub'),
            '--store',
            store,
          ]),
        );
      }
    }
  }
  const o = median(samples.openssl.map((s) => s.seconds));
  const rows = [['step', 'median s', 'files/s', 'ratio vs openssl', 'peak RSS MiB']];
  rows.push(['openssl dgst -sha256 (2 processes)', o.toFixed(3), fmt(count / o), '1.00', '-']);
  for (const [label, list] of [
    ['modelseal attest --type oms (sign)', samples.sign],
    ['modelseal verify-attestation', samples.verify],
  ] as const) {
    const m = median(list.map((s) => s.seconds));
    const rss = Math.max(...list.map((s) => s.maxRssKiB ?? 0)) / 1024;
    rows.push([label, m.toFixed(3), fmt(count / m), (o / m).toFixed(2), rss.toFixed(0)]);
  }
  process.stdout.write(
    `${count.toLocaleString('en')} files x 4 KiB, ${runs} alternating runs, medians; CLI start-up included\n`,
  );
  process.stdout.write(
    `ratio = openssl seconds / modelseal seconds (1.00 = as fast as the baseline)\n\n${table(rows)}\n`,
  );
}

function makeDataset(count: number, size: number): string {
  const dir = join(WORK, `dataset-${count}`);
  const spec = JSON.stringify({ v: 1, count, size });
  const stamp = `${dir}.stamp`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === spec) return dir;
  process.stderr.write(`generating ${count} files of ${size} bytes...\n`);
  rmSync(dir, { recursive: true, force: true });
  const buf = randomFillSync(Buffer.alloc(size));
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `shard-${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    buf.writeUInt32LE(i, 0);
    writeFileSync(join(sub, `sample-${String(i).padStart(6, '0')}.bin`), buf);
  }
  writeFileSync(stamp, spec);
  return dir;
}

async function openssl(dir: string): Promise<Sample> {
  const t0 = performance.now();
  await exec(
    'sh',
    ['-c', 'find . -type f -print0 | xargs -0 -P2 -n 5000 openssl dgst -sha256 > /dev/null'],
    dir,
  );
  return { seconds: (performance.now() - t0) / 1000 };
}

async function cli(args: string[]): Promise<Sample> {
  const t0 = performance.now();
  const { stderr } = await exec(process.execPath, ['--import', RSS_HOOK, CLI, ...args], WORK);
  const seconds = (performance.now() - t0) / 1000;
  const m = /@@maxRssKiB=(\d+)/.exec(stderr);
  return { seconds, ...(m ? { maxRssKiB: Number(m[1]) } : {}) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

if (process.argv[1] === fileURLToPath(import.meta.url)) await run(process.argv.slice(2));
