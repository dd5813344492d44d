import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffManifests } from '@modelseal/manifest';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { hashModel } from '../src/index.ts';
import { cleanupTempDirs, files, opts, tempDir } from './helpers.ts';

const ROOT = `${SHARED_VECTORS}/model-transparency`;

interface Payload {
  subject: { name: string; digest: { sha256: string } }[];
  predicate: {
    serialization: { method: string; hash_type: string; allow_symlinks: boolean; ignore_paths?: string[] };
    resources: { name: string; algorithm: string; digest: string }[];
  };
}

function payloadOf(dir: string): Payload {
  const bundle = JSON.parse(readFileSync(join(dir, 'model.sig'), 'utf8'));
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}

const folders = readdirSync(ROOT).filter((d) => /^v(0\.3|1\.)/.test(d));

afterAll(cleanupTempDirs);

describe('model_signing reference vectors', () => {
  it('has the vectors this suite relies on', () => {
    expect(folders).toContain('v1.1.0-elliptic-key');
    expect(folders.length).toBeGreaterThanOrEqual(10);
  });

  it.each(folders)('%s: same resources and subject digest as the signed payload', async (folder) => {
    const dir = join(ROOT, folder);
    const p = payloadOf(dir);
    const single = p.predicate.resources.length === 1 && p.predicate.resources[0]!.name === '.';
    const m = single
      ? await hashModel(join(dir, 'signme-1'), opts(files()))
      : await hashModel(
          dir,
          opts(files('sha256', { ignorePaths: ['ignore-me'] }), { extraIgnore: ['model.sig'] }),
        );
    expect(m.resources).toEqual(
      p.predicate.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    );
    expect(m.subjectDigest).toBe(p.subject[0]!.digest.sha256);
    if (p.predicate.serialization.ignore_paths) {
      expect([...m.serialization.ignorePaths].sort()).toEqual(
        [...p.predicate.serialization.ignore_paths].sort(),
      );
    }
    expect(m.modelName).toBe(single ? 'signme-1' : folder);
  });

  it('v1.1.0-elliptic-key: the exact figures from its payload', async () => {
    const m = await hashModel(
      join(ROOT, 'v1.1.0-elliptic-key'),
      opts(files('sha256', { ignorePaths: ['ignore-me'] }), {
        extraIgnore: [join(ROOT, 'v1.1.0-elliptic-key', 'model.sig')],
      }),
    );
    expect(m.subjectDigest).toBe('92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
    expect(m.resources.map((r) => r.digest)).toEqual([
      'bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc',
      '32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028',
    ]);
  });

  it('a flipped byte in a copy changes the subject and shows up as a changed file', async () => {
    const src = join(ROOT, 'v1.1.0-elliptic-key');
    const dir = tempDir();
    for (const f of ['signme-1', 'signme-2']) copyFileSync(join(src, f), join(dir, f));
    const original = await hashModel(dir, opts(files()));
    const bytes = readFileSync(join(dir, 'signme-2'));
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(join(dir, 'signme-2'), bytes);
    const tampered = await hashModel(dir, opts(files()));
    expect(tampered.subjectDigest).not.toBe(original.subjectDigest);
    expect(diffManifests(original, tampered)).toEqual({
      changed: ['signme-2'],
      missing: [],
      extra: [],
      parameters: [],
    });
  });
});
