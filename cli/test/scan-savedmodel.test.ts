import { cpSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

// SavedModels written by TensorFlow 2.21 (packages/scan/test/vectors/savedmodel/SOURCE.md)
const vectors = join(import.meta.dirname, '..', '..', 'packages', 'scan', 'test', 'vectors', 'savedmodel');
const copy = (name: string): string => {
  const dir = join(tempDir(), name);
  cpSync(join(vectors, name), dir, { recursive: true });
  return dir;
};

afterAll(cleanup);

describe('modelseal scan on TensorFlow SavedModel directories', () => {
  it('a Keras export passes (exit 0): graph, index, fingerprint and the data shard through its index', () => {
    const r = cli(['scan', copy('keras-dense-export')]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS\s+tf-savedmodel\s+sha256:[0-9a-f]{64}\s+saved_model\.pb$/m);
    expect(r.stdout).toMatch(/^PASS\s+tensor-data\s+.*variables\/variables\.data-00000-of-00001$/m);
    expect(r.stdout).toMatch(/^PASS\s+tf-ckpt-index\s+.*variables\/variables\.index$/m);
    expect(r.stderr).toMatch(/scan: 4 files, 0 failed/);
  });

  it('a graph that reads /etc/passwd fails (exit 7), naming the op and its function', () => {
    const r = cli(['scan', copy('hostile-read-file'), '--output', 'json']);
    expect(r.status).toBe(EXIT_CODES.policy);
    const j = JSON.parse(r.stdout);
    const pb = j.files.find((f: { path: string }) => f.path === 'saved_model.pb');
    expect(pb).toMatchObject({ verdict: 'fail', format: 'tf-savedmodel' });
    expect(pb.findings).toEqual([
      {
        code: 'SAVEDMODEL_OP',
        message: expect.stringMatching(
          /^node "ReadFile" in function "__inference_leak_\d+" uses ReadFile, which reads a file$/,
        ),
      },
    ]);
  });

  it('without its index, a data shard is unidentifiable bytes and fails closed', () => {
    const dir = copy('module-affine');
    unlinkSync(join(dir, 'variables', 'variables.index'));
    const r = cli(['scan', dir]);
    expect(r.status).toBe(EXIT_CODES.policy);
    expect(r.stdout).toMatch(/^FAIL\s+unknown\s+.*variables\.data-00000-of-00001\n\s+FORMAT_UNKNOWN/m);
  });
});
