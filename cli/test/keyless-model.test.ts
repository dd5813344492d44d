import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSigstore, startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, inPool, runCli } from './keyless-helpers.ts';

const MT = `${SHARED_VECTORS}/model-transparency`;
const IBM = [
  '--certificate-identity',
  'stefanb@us.ibm.com',
  '--certificate-oidc-issuer',
  'https://sigstore.verify.ibm.com/oauth2',
];
const ENV = { ...process.env, SIGSTORE_ID_TOKEN: '', ACTIONS_ID_TOKEN_REQUEST_URL: '' };

describe('modelseal verify <dir> with Sigstore identity (model_signing keyless vectors, offline)', () => {
  it('verifies all four, refuses a prefix identity, and names a flipped byte', async () => {
    const versions = ['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'];
    const rs = await inPool(versions, 2, (v) =>
      runCli(['verify', `${MT}/${v}-sigstore`, ...IBM, '--ignore-paths', 'ignore-me', '--output', 'json']),
    );
    for (const r of rs) {
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).signer).toMatchObject({ identity: 'stefanb@us.ibm.com' });
    }
    const prefix = await runCli([
      'verify',
      `${MT}/v1.1.0-sigstore`,
      ...IBM.map((a) => (a === 'stefanb@us.ibm.com' ? 'stefanb@us.ibm' : a)),
      '--ignore-paths',
      'ignore-me',
    ]);
    expect(errorCode(prefix.stderr)).toBe('IDENTITY_MISMATCH');
    const dir = mkdtempSync(join(tmpdir(), 'modelseal-mt-'));
    try {
      cpSync(`${MT}/v1.1.0-sigstore`, dir, { recursive: true });
      writeFileSync(join(dir, 'signme-1'), 'flipped');
      const r = await runCli(['verify', dir, ...IBM, '--ignore-paths', 'ignore-me']);
      expect(r.status).toBe(EXIT_CODES.digest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('modelseal sign <dir> keylessly against a local Sigstore, then verify', () => {
  let ss: LocalSigstore;
  let dir: string;
  beforeAll(async () => {
    ss = await startLocalSigstore();
    dir = mkdtempSync(join(tmpdir(), 'modelseal-km-'));
    cpSync('examples/sample-model', join(dir, 'model'), { recursive: true });
    writeFileSync(join(dir, 'root.json'), JSON.stringify(ss.trustedRoot));
    writeFileSync(join(dir, 'signing.json'), JSON.stringify(ss.signingConfig));
  });
  afterAll(async () => {
    await ss?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs with a token and no key, verifies by identity, refuses another identity', async () => {
    const token = ss.mintToken({ identity: 'https://ci.example/release', issuer: 'https://oidc.ci.example' });
    const model = join(dir, 'model');
    const s = await runCli(['sign', model, '--signing-config', join(dir, 'signing.json')], {
      env: { ...ENV, SIGSTORE_ID_TOKEN: token },
    });
    expect(s.status, s.stderr).toBe(0);
    const id = [
      '--certificate-identity',
      'https://ci.example/release',
      '--certificate-oidc-issuer',
      'https://oidc.ci.example',
    ];
    const v = await runCli(['verify', model, '--trusted-root', join(dir, 'root.json'), ...id]);
    expect(v.status, v.stderr).toBe(0);
    const wrong = await runCli([
      'verify',
      model,
      '--trusted-root',
      join(dir, 'root.json'),
      ...id.map((a) => (a.startsWith('https://ci') ? 'https://ci.example/releas' : a)),
    ]);
    expect(errorCode(wrong.stderr)).toBe('IDENTITY_MISMATCH');
    const publicGood = await runCli(['verify', model, ...id]);
    expect(publicGood.status).toBe(EXIT_CODES.verification);
    const noSigner = await runCli(['sign', model], { env: ENV });
    expect(errorCode(noSigner.stderr)).toBe('NO_SIGNER');
  });

  it('adds an RFC 3161 timestamp to a key signature with --timestamp-server-url', async () => {
    const model = join(dir, 'model');
    const prefix = join(dir, 'k');
    expect((await runCli(['keygen', '--output-key-prefix', prefix], { env: ENV })).status).toBe(0);
    const bundle = join(dir, 'key-tsa.sig');
    const s = await runCli(
      ['sign', model, '--key', `${prefix}.key`, '--bundle', bundle, '--timestamp-server-url', ss.tsaUrl],
      {
        env: ENV,
      },
    );
    expect(s.status, s.stderr).toBe(0);
    const json = JSON.parse(readFileSync(bundle, 'utf8'));
    expect(json.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
    const v = await runCli(['verify', model, '--key', `${prefix}.pub`, '--bundle', bundle], { env: ENV });
    expect(v.status, v.stderr).toBe(0);
    const mixed = await runCli(['sign', model, '--key', `${prefix}.key`, '--fulcio-url', ss.fulcioUrl], {
      env: ENV,
    });
    expect(errorCode(mixed.stderr)).toBe('KEYLESS_FLAG_WITH_KEY');
  });
});
