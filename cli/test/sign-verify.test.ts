import { createHash } from 'node:crypto';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { omsStatement, serializeStatement } from '@modelseal/attest';
import { createManifest } from '@modelseal/manifest';
import { createSigner } from '@modelseal/sign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-model', import.meta.url));
const VECTOR = `${SHARED_VECTORS}/model-transparency/v1.1.0-elliptic-key/model.sig`;

let dir: string;
let model: string;
let key: string;
let pub: string;

const decode = (bundlePath: string) => {
  const b = JSON.parse(readFileSync(bundlePath, 'utf8'));
  return { bundle: b, statement: JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8')) };
};
const shape = (v: unknown): unknown =>
  Array.isArray(v) ? v.slice(0, 1).map(shape) : v && typeof v === 'object' ? Object.keys(v).sort() : typeof v;

beforeAll(() => {
  dir = tempDir();
  model = join(dir, 'model');
  cpSync(SAMPLE, model, { recursive: true });
  const r = cli(['keygen', '--output-key-prefix', join(dir, 'signer')]);
  expect(r.status, r.stderr).toBe(0);
  key = join(dir, 'signer.key');
  pub = join(dir, 'signer.pub');
});
afterAll(cleanup);

describe('keygen', () => {
  it('writes a 0600 PKCS#8 private key and an SPKI public key, and refuses to overwrite', () => {
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(pub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const again = cli(['keygen', '--output-key-prefix', join(dir, 'signer')]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('KEY_FILE_EXISTS');
  });
  it('encrypts with --encrypt using the passphrase from the environment', () => {
    const prefix = join(tempDir(), 'enc');
    const r = cli(['keygen', '--algorithm', 'ecdsa-p384', '--output-key-prefix', prefix, '--encrypt'], {
      MODELSEAL_KEY_PASSPHRASE: 'pw-123',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(`${prefix}.key`, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    expect(r.stderr + r.stdout).not.toContain('pw-123');
  });
});

describe('sign then verify', () => {
  it.each(['files', 'shards'])('round-trips a %s bundle written with a P-256 key', (method) => {
    const extra = method === 'shards' ? ['--serialization', 'shards', '--shard-size', '64'] : [];
    const s = cli(['sign', model, '--key', key, ...extra, '--output', 'json']);
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ ok: true, bundle: join(model, 'model.sig') });
    const v = cli(['verify', model, '--key', pub]);
    expect(v.stderr).toContain('Verification succeeded');
    expect(v.status).toBe(0);
  });

  it('writes the OMS layout model_signing writes (fields, names, algorithm strings, key hint)', () => {
    expect(cli(['sign', model, '--private-key', key]).status).toBe(0);
    const ours = decode(join(model, 'model.sig'));
    const theirs = decode(VECTOR);
    expect(ours.bundle.mediaType).toBe(theirs.bundle.mediaType);
    expect(Object.keys(ours.bundle)).toEqual(Object.keys(theirs.bundle));
    expect(Object.keys(ours.bundle.verificationMaterial)).toEqual(
      Object.keys(theirs.bundle.verificationMaterial),
    );
    expect(ours.bundle.verificationMaterial.tlogEntries).toEqual([]);
    expect(shape(ours.bundle.verificationMaterial.publicKey)).toEqual(
      shape(theirs.bundle.verificationMaterial.publicKey),
    );
    expect(ours.bundle.verificationMaterial.publicKey.hint).toBe(
      createHash('sha256').update(readFileSync(pub, 'utf8')).digest('hex'),
    );
    expect(ours.bundle.dsseEnvelope.payloadType).toBe(theirs.bundle.dsseEnvelope.payloadType);
    expect(ours.bundle.dsseEnvelope.signatures[0].keyid).toBe(theirs.bundle.dsseEnvelope.signatures[0].keyid);
    expect(Object.keys(ours.statement)).toEqual(Object.keys(theirs.statement));
    expect(shape(ours.statement.subject)).toEqual(shape(theirs.statement.subject));
    expect(ours.statement.predicateType).toBe(theirs.statement.predicateType);
    expect(shape(ours.statement.predicate)).toEqual(shape(theirs.statement.predicate));
    expect(shape(ours.statement.predicate.serialization)).toEqual(
      shape(theirs.statement.predicate.serialization),
    );
    expect(shape(ours.statement.predicate.resources)).toEqual(shape(theirs.statement.predicate.resources));
    expect(ours.statement.predicate.resources.map((r: { algorithm: string }) => r.algorithm)).toContain(
      'sha256',
    );
    expect(ours.statement.predicate.serialization.ignore_paths).toEqual(
      expect.arrayContaining(['.git', '.gitattributes', '.github', '.gitignore', 'model.sig']),
    );
    expect(ours.statement.subject[0].name).toBe('model');
    // 2-space JSON, the payload model_signing signs
    expect(Buffer.from(ours.bundle.dsseEnvelope.payload, 'base64').toString()).toMatch(/^\{\n {2}"_type": /);
  });

  it('names shard algorithms <hash>-sharded-<size> and shard names path:start:end', () => {
    expect(cli(['sign', model, '--key', key, '--serialization', 'shards', '--shard-size', '64']).status).toBe(
      0,
    );
    const { statement } = decode(join(model, 'model.sig'));
    expect(statement.predicate.serialization).toMatchObject({ method: 'shards', shard_size: 64 });
    for (const r of statement.predicate.resources) {
      expect(r.algorithm).toBe('sha256-sharded-64');
      expect(r.name).toMatch(/^.+:\d+:\d+$/);
    }
  });

  it('signs a single file into <file>.sig beside it, named by its basename (OMS v1.0 §6.1)', () => {
    const file = join(tempDir(), 'weights.bin');
    writeFileSync(file, 'weights');
    expect(cli(['sign', file, '--key', key]).status).toBe(0);
    expect(decode(`${file}.sig`).statement.predicate.resources[0].name).toBe('weights.bin');
    expect(cli(['verify', file, '--public-key', pub]).status).toBe(0);
  });

  it("after model_signing's method word a single file is named '.', as model_signing 1.1 writes and expects", () => {
    const file = join(tempDir(), 'weights.bin');
    writeFileSync(file, 'weights');
    const sig = `${file}.ms.sig`;
    expect(cli(['sign', 'key', file, '--private_key', key, '--signature', sig]).status).toBe(0);
    expect(decode(sig).statement.predicate.resources[0].name).toBe('.');
    expect(cli(['verify', file, '--key', pub, '--bundle', sig]).status).toBe(0);
    writeFileSync(file, 'weightz');
    expect(cli(['verify', file, '--key', pub, '--bundle', sig]).status).toBe(4);
  });

  it('inspect decodes without verifying and says so', () => {
    expect(cli(['sign', model, '--key', key]).status).toBe(0);
    const r = cli(['inspect', join(model, 'model.sig'), '--output', 'json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('NOT VERIFIED');
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: false, signer: { kind: 'key' } });
  });
});

describe('failures a user meets', () => {
  it('a changed, a missing and an extra file are each named (exit 4)', () => {
    const m = join(tempDir(), 'm');
    cpSync(SAMPLE, m, { recursive: true });
    expect(cli(['sign', m, '--key', key]).status).toBe(0);
    writeFileSync(join(m, 'config.json'), '{"tampered":true}');
    writeFileSync(join(m, 'new.bin'), 'x');
    const r = cli(['verify', m, '--key', pub, '--output', 'json']);
    expect(r.status).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out.error.code).toBe('MODEL_DIGEST_MISMATCH');
    expect(out.error.details).toMatchObject({ changed: ['config.json'], extra: ['new.bin'] });
    expect(r.stderr).toContain('config.json');
  });
  it('a key that did not sign is refused (exit 3)', () => {
    const other = join(tempDir(), 'other');
    expect(cli(['keygen', '--output-key-prefix', other]).status).toBe(0);
    expect(cli(['sign', model, '--key', key]).status).toBe(0);
    const r = cli(['verify', model, '--key', `${other}.pub`]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('KEY_NOT_TRUSTED');
  });
  it('a truncated bundle is malformed input (exit 6) and a missing one is not found (exit 5)', () => {
    const m = join(tempDir(), 'm');
    cpSync(SAMPLE, m, { recursive: true });
    writeFileSync(join(m, 'model.sig'), '{"mediaType": "application/vnd.dev.sigstore.bun');
    const r = cli(['verify', m, '--key', pub]);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('JSON_MALFORMED');
    const none = cli(['verify', m, '--key', pub, '--bundle', join(m, 'absent.sig')]);
    expect(none.status).toBe(5);
    expect(none.stderr).toContain('error[FILE_NOT_FOUND]');
  });
  it('a signed statement naming ../ paths is rejected before any file is read (exit 6)', async () => {
    const m = join(tempDir(), 'm');
    cpSync(SAMPLE, m, { recursive: true });
    const good = omsStatement(
      createManifest({
        modelName: 'm',
        serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
        resources: [{ name: 'config.json', algorithm: 'sha256', digest: 'a'.repeat(64) }],
      }),
    );
    const text = new TextDecoder()
      .decode(serializeStatement(good))
      .replace('"config.json"', '"../../etc/passwd"');
    const bundle = await createSigner({ kind: 'key', privateKeyPem: readFileSync(key, 'utf8') }).sign(
      new TextEncoder().encode(text),
    );
    writeFileSync(join(m, 'model.sig'), JSON.stringify(bundle));
    const r = cli(['verify', m, '--key', pub]);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('RESOURCE_NAME_INVALID');
  });
  it('an encrypted key needs its passphrase: missing -> KEY_PASSPHRASE_REQUIRED, wrong -> KEY_PASSPHRASE_INVALID', () => {
    const prefix = join(tempDir(), 'enc');
    expect(
      cli(['keygen', '--output-key-prefix', prefix, '--encrypt'], { MODELSEAL_KEY_PASSPHRASE: 'right' })
        .status,
    ).toBe(0);
    const none = cli(['sign', model, '--key', `${prefix}.key`]);
    // a passphrase not given is a usage error, as keygen --encrypt without one is
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('KEY_PASSPHRASE_REQUIRED');
    const wrong = cli(['sign', model, '--key', `${prefix}.key`, '--passphrase-env', 'MY_PW'], {
      MY_PW: 'wrong',
    });
    expect(wrong.status).toBe(6);
    expect(wrong.stderr).toContain('KEY_PASSPHRASE_INVALID');
    expect(wrong.stderr).not.toContain('wrong');
    const ok = cli(['sign', model, '--key', `${prefix}.key`, '--passphrase-env', 'MY_PW'], {
      MY_PW: 'right',
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(cli(['verify', model, '--key', `${prefix}.pub`]).status).toBe(0);
  });
  it('verify without a trust flag is a usage error (exit 2)', () => {
    const r = cli(['verify', model]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TRUST_MISSING');
  });
});
