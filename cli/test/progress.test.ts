/**
 * Hashing progress as a user sees it: on a real pseudo-terminal (util-linux `script`) the line
 * moves while one big file is read, with bytes, throughput and ETA; without a terminal, nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProgress, progressReporter } from '../src/progress.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

afterAll(cleanup);

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;
const MiB = 1 << 20;

/** one big file, hashed slowly on purpose (pure-JS BLAKE3, one thread) so the run lasts seconds */
function bigFile(): string {
  const path = join(tempDir(), 'weights.bin');
  writeFileSync(path, randomBytes(64 * MiB));
  return path;
}
const slow = { MODELSEAL_BLAKE3: 'noble' };
const args = (path: string) => ['digest', path, '--hash', 'blake3', '--workers', '1'];

describe('progress', () => {
  it('formats bytes, percentage, throughput and time left', () => {
    expect(formatProgress('hashing', 3 * 2 ** 30, 4 * 2 ** 30, 2000)).toBe(
      'hashing [###############.....]   75%  3.00 GiB / 4.00 GiB  1.61 GB/s  ETA 1s',
    );
    expect(formatProgress('hashing', 10 * MiB, 100 * MiB, 1000)).toContain('10 MB/s  ETA 9s');
    expect(formatProgress('hashing', 0, 0, 0)).toContain('ETA --');
  });

  it('writes nothing when the sink is not a terminal, and clears its line when done on one', () => {
    let clock = 0;
    const lines: string[] = [];
    const quiet = progressReporter('h', { isTTY: false, write: (t) => lines.push(t) }, () => clock);
    const loud = progressReporter('h', { isTTY: true, write: (t) => lines.push(`tty:${t}`) }, () => clock);
    clock = 1500;
    quiet.update(1, 2);
    loud.update(1, 2);
    loud.update(2, 2); // within 100 ms of the last redraw: skipped
    quiet.end();
    loud.end();
    expect(lines).toEqual([`tty:\r${formatProgress('h', 1, 2, 1500)}\x1b[K`, 'tty:\r\x1b[K']);
  });

  it.skipIf(!hasScript)('on a terminal, the line moves while a single big file is read', () => {
    const path = bigFile();
    const command = [process.execPath, bin, ...args(path)].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, ...slow },
      timeout: 90_000,
    });
    expect(r.status).toBe(0);
    const frames = [
      ...r.stdout.matchAll(/\r(hashing \[[#.]+\] +\d+% {2}([\d.]+) MiB \/ 64\.0 MiB .*? ETA [\dhms-]+)/g),
    ];
    const done = frames.map((f) => Number(f[2]));
    // several redraws part-way through the one file, each further along
    expect(done.filter((d) => d > 0 && d < 64).length).toBeGreaterThanOrEqual(2);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    expect(frames[0]![1]).toMatch(/ MB\/s {2}ETA \d+s$/);
    expect(r.stdout).toContain('blake3:');
  });

  it('without a terminal, stderr carries no progress', () => {
    const r = cli(args(bigFile()), slow);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('blake3:');
  });
});
