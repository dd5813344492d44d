/**
 * `digest --hash blake3` when the native BLAKE3 addon cannot be trusted: one that does not load,
 * and one that loads but gives wrong digests. Either way the digests stay right (the WASM
 * fallback), and stderr says so once.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';

afterAll(cleanup);

const hasB3sum = spawnSync('b3sum', ['--version']).status === 0;

function model() {
  const dir = tempDir();
  const m = join(dir, 'm');
  spawnSync('mkdir', [m]);
  // enough files for the worker thread to take part (it loads BLAKE3 too)
  for (let i = 0; i < 80; i++) writeFileSync(join(m, `f${i}`), Buffer.alloc(3000 + i * 517, i));
  writeFileSync(join(m, 'big.bin'), Buffer.alloc(9 * (1 << 20) + 5, 7));
  // an "addon" that loads and answers every call, wrongly
  const liar = join(dir, 'liar.cjs');
  writeFileSync(
    liar,
    'const z = (...a) => a[a.length - 1].fill(0);\n' +
      'module.exports = { hashInto: z, subtreeCv: z, parentCv: z, createHash: () => ({ update() {}, digest: () => new Uint8Array(32) }) };\n',
  );
  return { dir, m, liar };
}

function digests(stdout: string): Map<string, string> {
  const json = JSON.parse(stdout) as { resources: { name: string; digest: string }[] };
  return new Map(json.resources.map((r) => [r.name, r.digest]));
}

describe('BLAKE3 fallback', () => {
  it.each([
    ['does not load', (d: string) => join(d, 'missing.node'), 'did not load'],
    ['fails its self-test', (_d: string) => '', 'failed its self-test'],
  ])('an addon that %s: right digests, one note on stderr', (_label, addonPath, why) => {
    const { dir, m, liar } = model();
    const addon = addonPath(dir) || liar;
    const good = cli(['digest', m, '--hash', 'blake3', '-o', 'json']);
    expect(good.status).toBe(0);
    expect(good.stderr).not.toContain('BLAKE3 runs on');
    const r = cli(['digest', m, '--hash', 'blake3', '-o', 'json'], { MODELSEAL_BLAKE3_ADDON: addon });
    expect(r.status).toBe(0);
    const notes = r.stderr.split('\n').filter((l) => l.includes('BLAKE3 runs on the slower'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(why);
    expect(digests(r.stdout)).toEqual(digests(good.stdout));
    if (hasB3sum) {
      const ref = spawnSync('b3sum', ['--no-names', join(m, 'big.bin'), join(m, 'f7')], { encoding: 'utf8' });
      expect([digests(r.stdout).get('big.bin'), digests(r.stdout).get('f7')]).toEqual(
        ref.stdout.trim().split('\n'),
      );
    }
  });
});
