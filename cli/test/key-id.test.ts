import { createPublicKey } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-model', import.meta.url));

afterAll(cleanup);

const json = (r: { status: number | null; stdout: string; stderr: string }) => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('one key, one id', () => {
  it('keygen, verify and verify-blob report the same key id, whatever PEM form the key file has', () => {
    const dir = tempDir();
    const model = join(dir, 'model');
    cpSync(SAMPLE, model, { recursive: true });
    const prefix = join(dir, 'rsa');
    const made = json(
      cli(['keygen', '--algorithm', 'rsa-3072', '--output-key-prefix', prefix, '-o', 'json']),
    );
    // the same public key as PKCS#1 with CRLF line ends: a text hash of the file would differ
    const pkcs1 = join(dir, 'rsa-pkcs1.pem');
    const der = createPublicKey(readFileSync(`${prefix}.pub`, 'utf8'));
    writeFileSync(pkcs1, der.export({ type: 'pkcs1', format: 'pem' }).toString().replace(/\n/g, '\r\n'));

    const signed = json(cli(['sign', model, '--key', `${prefix}.key`, '-o', 'json']));
    const viaVerify = json(cli(['verify', model, '--key', pkcs1, '-o', 'json']));
    const blob = [
      'verify-blob',
      `sha256:${signed.subject.digest.sha256}`,
      '--bundle',
      join(model, 'model.sig'),
      '--key',
      pkcs1,
      '-o',
      'json',
    ];
    const viaBlob = json(cli(blob));
    expect(made.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(viaVerify.signer).toEqual({ kind: 'key', keyId: made.keyId });
    expect(viaBlob.signer).toEqual({ kind: 'key', keyId: made.keyId });
  });
});
