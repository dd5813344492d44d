/**
 * `digest` through the process, as users run it: the native batch addon (default) and the JS
 * threads (MODELSEAL_NATIVE_HASHING=off) print the same manifest, and the digests are the bytes'.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';

afterAll(cleanup);

describe('digest: native batch and JS threads agree', () => {
  it.each(['sha256', 'blake2b'])('%s, 400 files in nested folders', (hash) => {
    const m = join(tempDir(), 'data');
    const bytes = new Map<string, Buffer>();
    for (let i = 0; i < 400; i++) {
      const dir = `part-${i % 7}`;
      mkdirSync(join(m, dir), { recursive: true });
      const b = randomBytes((i * 131) % 9000);
      writeFileSync(join(m, dir, `x${i}`), b);
      bytes.set(`${dir}/x${i}`, b);
    }
    const native = cli(['digest', m, '--hash', hash, '-o', 'json', '--stats']);
    const js = cli(['digest', m, '--hash', hash, '-o', 'json', '--stats'], {
      MODELSEAL_NATIVE_HASHING: 'off',
    });
    expect(native.status, native.stderr).toBe(0);
    expect(js.status, js.stderr).toBe(0);
    expect(native.stderr).toContain('"hashing":"native-batch"');
    expect(js.stderr).toContain('"hashing":"threads"');
    expect(native.stdout).toBe(js.stdout);
    const resources = (JSON.parse(native.stdout) as { resources: { name: string; digest: string }[] })
      .resources;
    expect(resources).toHaveLength(400);
    const alg = hash === 'sha256' ? 'sha256' : 'blake2b512';
    for (const r of resources)
      expect(r.digest).toBe(createHash(alg).update(bytes.get(r.name)!).digest('hex'));
  });
});
