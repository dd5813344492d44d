/**
 * One ignore rule for every command that hashes a model: the bundle (default `model.sig`, or the
 * one named) is never part of it. `digest` after `sign` prints the digest that was signed.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { omsStatement, serializeStatement } from '@modelseal/attest';
import { hashModel } from '@modelseal/hashing';
import { createSigner } from '@modelseal/sign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';

let dir: string;
const f = (n: string) => join(dir, n);
const model = (name: string) => {
  const m = f(name);
  cpSync('examples/sample-model', m, { recursive: true });
  return m;
};
const signedStatement = (bundlePath: string) =>
  JSON.parse(
    Buffer.from(JSON.parse(readFileSync(bundlePath, 'utf8')).dsseEnvelope.payload, 'base64').toString(),
  );

beforeAll(() => {
  dir = tempDir();
  expect(cli(['keygen', '--output-key-prefix', f('k')]).status).toBe(0);
});
afterAll(cleanup);

describe('the bundle is ignored by every command', () => {
  it('digest after sign prints the signed subject digest and says which bundle it skipped', () => {
    const m = model('m');
    expect(cli(['sign', m, '--key', f('k.key')]).status).toBe(0);
    const st = signedStatement(join(m, 'model.sig'));
    const d = cli(['digest', m, '--output', 'json']);
    expect(d.status, d.stderr).toBe(0);
    const j = JSON.parse(d.stdout);
    expect(j.digest.sha256).toBe(st.subject[0].digest.sha256);
    expect(j.serialization).toEqual(st.predicate.serialization);
    expect(j.resources).toEqual(st.predicate.resources);
    expect(d.stderr).toContain(`skipped the signature bundle ${join(m, 'model.sig')}`);
    const text = cli(['digest', m]);
    expect(text.stdout.split('\n')[0]).toBe(`sha256:${st.subject[0].digest.sha256}  m`);
    expect(text.stdout).not.toContain('model.sig');
  });

  it('attest --type oms and verify-attestation hash the same subject as sign', () => {
    const m = model('att');
    expect(cli(['sign', m, '--key', f('k.key')]).status).toBe(0);
    const signed = signedStatement(join(m, 'model.sig')).subject[0].digest.sha256;
    const store = f('store');
    const a = cli(['attest', m, '--type', 'oms', '--key', f('k.key'), '--store', store, '--output', 'json']);
    expect(a.status, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).subject.digest).toBe(`sha256:${signed}`);
    const v = cli(['verify-attestation', m, '--type', 'oms', '--key', f('k.pub'), '--store', store]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('a stale model.sig is ignored when the bundle goes elsewhere, by sign, verify and digest alike', () => {
    const m = model('stale');
    writeFileSync(join(m, 'model.sig'), '{"stale": true}');
    const out = f('stale.sig');
    expect(cli(['sign', m, '--key', f('k.key'), '--bundle', out]).status).toBe(0);
    const st = signedStatement(out);
    expect(st.predicate.resources.map((r: { name: string }) => r.name)).not.toContain('model.sig');
    const d = cli(['digest', m, '--output', 'json']);
    expect(JSON.parse(d.stdout).digest.sha256).toBe(st.subject[0].digest.sha256);
    const v = cli(['verify', m, '--key', f('k.pub'), '--bundle', out]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('verify keeps a model.sig that the signature lists (signed by a tool whose bundle went elsewhere)', async () => {
    const m = model('listed');
    writeFileSync(join(m, 'model.sig'), 'a file the signer hashed');
    const manifest = await hashModel(m, {
      serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
    });
    expect(manifest.resources.map((r) => r.name)).toContain('model.sig');
    const bundle = await createSigner({ kind: 'key', privateKeyPem: readFileSync(f('k.key'), 'utf8') }).sign(
      serializeStatement(omsStatement(manifest)),
    );
    writeFileSync(f('listed.sig'), JSON.stringify(bundle));
    const v = cli(['verify', m, '--key', f('k.pub'), '--bundle', f('listed.sig')]);
    expect(v.status, v.stderr).toBe(0);
    writeFileSync(join(m, 'model.sig'), 'changed');
    expect(cli(['verify', m, '--key', f('k.pub'), '--bundle', f('listed.sig')]).status).toBe(4);
  });
});
