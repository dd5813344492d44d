/**
 * `modelseal scan` on a large safetensors model: the analysers read the header only. The file is
 * sparse (truncate), so a 4 GiB model costs no disk. Reports, from the same run:
 * - the scan library alone (`scanFile` over the fs reader): bytes read, wall time, peak RSS;
 * - the CLI as a process (`bin/modelseal scan`), which also hashes every byte for the report's
 *   digest, so its time is the hashing of 4 GiB (of holes, served from no disk);
 * - `openssl dgst -sha256` on the same file as the baseline for that hashing.
 *
 *   pnpm bench scan [--size-gib=N]   (default 4)
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileReader } from '../packages/scan/src/fs.ts';
import { scanFile } from '../packages/scan/src/index.ts';
import { exec } from './exec.ts';
import { table } from './report.ts';

const CLI = fileURLToPath(new URL('../bin/modelseal', import.meta.url));
const TIME = '/usr/bin/time';

/** A valid header describing `tensors` F32 tensors that fill `dataBytes`; the data is a hole. */
function writeSparseSafetensors(path: string, dataBytes: number, tensors: number): number {
  const per = Math.floor(dataBytes / tensors / 4) * 4;
  const entries: string[] = [];
  for (let i = 0; i < tensors; i++) {
    const len = i === tensors - 1 ? dataBytes - per * (tensors - 1) : per;
    entries.push(
      `"layers.${i}.weight":{"dtype":"F32","shape":[${len / 4}],"data_offsets":[${i * per},${i * per + len}]}`,
    );
  }
  let header = `{"__metadata__":{"format":"pt"},${entries.join(',')}}`;
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header)]));
  truncateSync(path, 8 + header.length + dataBytes);
  return 8 + header.length;
}

export async function run(flags: string[]): Promise<void> {
  const gib = Number(flags.find((f) => f.startsWith('--size-gib='))?.slice(11) ?? 4);
  const dir = mkdtempSync(join(tmpdir(), 'modelseal-bench-scan-'));
  try {
    const model = join(dir, 'model');
    const file = join(model, 'model.safetensors');
    mkdirSync(model);
    const dataBytes = Math.round((gib * 2 ** 30) / 4) * 4;
    const headerBytes = writeSparseSafetensors(file, dataBytes, 291);

    const rss0 = process.resourceUsage().maxRSS;
    const t0 = performance.now();
    const reader = openFileReader(file);
    const report = scanFile('model.safetensors', reader);
    reader.close();
    const libMs = performance.now() - t0;
    if (report.verdict !== 'pass')
      throw new Error(`the benchmark model failed: ${JSON.stringify(report.findings)}`);

    const cli = await timed(CLI, ['scan', model]);
    const ssl = await timed('openssl', ['dgst', '-sha256', file]);
    const size = headerBytes + dataBytes;
    process.stdout.write(
      `${(size / 2 ** 30).toFixed(2)} GiB safetensors (291 tensors, ${headerBytes} header bytes), sparse\n\n${table(
        [
          ['what', 'bytes read', 'wall ms', 'peak RSS MiB'],
          [
            'scanFile (library, header only)',
            `${report.bytesRead} (${((report.bytesRead / size) * 100).toExponential(1)} %)`,
            libMs.toFixed(1),
            `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} (bench process; +${((process.resourceUsage().maxRSS - rss0) / 1024).toFixed(0)})`,
          ],
          [
            'modelseal scan (CLI: scan + sha256 of every byte)',
            `${size} (digest)`,
            cli.ms.toFixed(0),
            (cli.rssKiB / 1024).toFixed(0),
          ],
          [
            'openssl dgst -sha256 (hashing baseline)',
            `${size}`,
            ssl.ms.toFixed(0),
            (ssl.rssKiB / 1024).toFixed(0),
          ],
        ],
      )}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(cmd: string, args: string[]): Promise<{ ms: number; rssKiB: number }> {
  const t0 = performance.now();
  const { stderr } = await exec(TIME, ['-f', 'RSS_KIB=%M', cmd, ...args], process.cwd());
  return { ms: performance.now() - t0, rssKiB: Number(/RSS_KIB=(\d+)/.exec(stderr)?.[1] ?? 0) };
}
