/**
 * Every key and certificate bundle model_signing wrote (v0.2.0 .. v1.1.0) verifies with our CLI,
 * and flipping one byte of any signed file fails it with exit code 4 naming that file.
 */
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const V = `${SHARED_VECTORS}/model-transparency`;
const PUB = join(V, 'keys/certificate/signing-key-pub.pem');
const CA = join(V, 'keys/certificate/ca-cert.pem');

interface Vector {
  dir: string;
  /** model path relative to the vector folder ('.' = the folder) */
  model: string;
  trust: string[];
}

function vectors(): Vector[] {
  return readdirSync(V)
    .filter((d) => /^v\d/.test(d) && !d.endsWith('-sigstore'))
    .map((dir) => {
      const b = JSON.parse(readFileSync(join(V, dir, 'model.sig'), 'utf8'));
      const payload = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
      const single =
        payload.predicate?.resources?.length === 1 && payload.predicate.resources[0].name === '.';
      return {
        dir,
        model: single ? 'signme-1' : '.',
        trust: dir.includes('elliptic-key') ? ['--key', PUB] : ['--certificate-chain', CA],
      };
    });
}

function args(root: string, v: Vector): string[] {
  return [
    'verify',
    join(root, v.model),
    '--bundle',
    join(root, 'model.sig'),
    ...v.trust,
    '--ignore-paths',
    'ignore-me',
  ];
}

afterAll(cleanup);

describe('model_signing vectors through `modelseal verify`', () => {
  const all = vectors();
  it('covers the key and certificate bundles of every version', () => {
    expect(all.map((v) => v.dir).sort()).toEqual(
      readdirSync(V)
        .filter((d) => /^v\d.*-(elliptic-key|certificate)$/.test(d))
        .sort(),
    );
    expect(all.length).toBe(9);
  });

  it.each(all)('$dir verifies', (v) => {
    const r = cli([...args(join(V, v.dir), v), '--output', 'json']);
    expect(r.stderr).toContain('Verification succeeded');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      signer: { kind: v.dir.includes('key') ? 'key' : 'certificate' },
    });
  });

  it.each(all)('$dir fails with exit 4 naming each signed file after a one-byte flip', (v) => {
    const signed = readdirSync(join(V, v.dir)).filter(
      (f) => f.startsWith('signme-') && (v.model === '.' || f === v.model),
    );
    expect(signed.length).toBeGreaterThan(0);
    for (const file of signed) {
      const root = join(tempDir(), v.dir);
      cpSync(join(V, v.dir), root, { recursive: true });
      const target = join(root, file);
      chmodSync(target, 0o644);
      const bytes = readFileSync(target);
      bytes[0] = (bytes[0] as number) ^ 0x01;
      writeFileSync(target, bytes);
      const r = cli(args(root, v));
      expect(r.status, `${v.dir}/${file}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toContain('MODEL_DIGEST_MISMATCH');
      expect(r.stderr).toContain(v.model === '.' ? file : 'changed: .');
    }
  });
});

describe('certificate validity', () => {
  const v = vectors().find((x) => x.dir === 'v1.1.0-certificate') as Vector;
  it('the vector certificates are valid now (2025-05-02 .. 2035-04-30), so the default verification passes', () => {
    expect(cli(args(join(V, v.dir), v)).status).toBe(0);
  });
  it('fails with CERTIFICATE_EXPIRED (exit 3) when checked after expiry; model_signing ignores expiry', () => {
    const r = cli([...args(join(V, v.dir), v), '--verify-time', '2035-06-01T00:00:00Z']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('CERTIFICATE_EXPIRED');
  });
  it('fails before the certificates were issued', () => {
    const r = cli([...args(join(V, v.dir), v), '--verify-time', '2024-01-01T00:00:00Z']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('CERTIFICATE_NOT_YET_VALID');
  });
  it('rejects a malformed --verify-time as a usage error', () => {
    const r = cli([...args(join(V, v.dir), v), '--verify-time', 'yesterday']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('VERIFY_TIME_INVALID');
  });
});
