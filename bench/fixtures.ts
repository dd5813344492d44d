import { randomFillSync } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** Benchmark data lives in .bench/ (gitignored) and is made once; a stamp file records what was made. */
export const BENCH_DIR = join(import.meta.dirname, '..', '.bench');

/** The stamp sits beside the data, not in it: the hashed tree must be exactly the generated files. */
function fresh(dir: string, spec: string): boolean {
  const stamp = `${dir}.stamp`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === spec) return false;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return true;
}

const markDone = (dir: string, spec: string) => writeFileSync(`${dir}.stamp`, spec);

/** Random-looking bytes at disk speed: one random block, each copy stamped with its position. */
export function makeModel(
  name: string,
  fileSizes: readonly number[],
): { dir: string; files: string[]; bytes: number } {
  const dir = join(BENCH_DIR, name);
  const spec = JSON.stringify({ v: 1, fileSizes });
  const files = fileSizes.map(
    (_, i) =>
      `model-${String(i + 1).padStart(5, '0')}-of-${String(fileSizes.length).padStart(5, '0')}.safetensors`,
  );
  if (fresh(dir, spec)) {
    process.stderr.write(`generating ${name} (${fileSizes.reduce((a, b) => a + b, 0) / 2 ** 30} GiB)...\n`);
    const block = randomFillSync(Buffer.alloc(8 << 20));
    fileSizes.forEach((size, i) => {
      const fd = openSync(join(dir, files[i]!), 'w');
      try {
        for (let pos = 0; pos < size; pos += block.length) {
          block.writeBigUInt64LE(BigInt(i * 2 ** 40 + pos), 0);
          writeSync(fd, block, 0, Math.min(block.length, size - pos));
        }
      } finally {
        closeSync(fd);
      }
    });
    markDone(dir, spec);
  }
  return { dir, files, bytes: fileSizes.reduce((a, b) => a + b, 0) };
}

/** `count` files of `size` bytes, 1000 per subdirectory, like a sharded image/text dataset. */
export function makeDataset(
  name: string,
  count: number,
  size: number,
): { dir: string; files: string[]; bytes: number } {
  const dir = join(BENCH_DIR, name);
  const spec = JSON.stringify({ v: 1, count, size });
  const files: string[] = [];
  for (let i = 0; i < count; i++)
    files.push(
      `shard-${String(Math.floor(i / 1000)).padStart(3, '0')}/sample-${String(i).padStart(6, '0')}.bin`,
    );
  if (fresh(dir, spec)) {
    process.stderr.write(`generating ${name} (${count} files of ${size} bytes)...\n`);
    const buf = randomFillSync(Buffer.alloc(size));
    for (let i = 0; i < count; i++) {
      if (i % 1000 === 0) mkdirSync(join(dir, files[i]!, '..'), { recursive: true });
      buf.writeUInt32LE(i, 0);
      writeFileSync(join(dir, files[i]!), buf);
    }
    markDone(dir, spec);
  }
  return { dir, files, bytes: count * size };
}
