import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalSigstore, startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, runCli } from './keyless-helpers.ts';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-model', import.meta.url));
const PKI = fileURLToPath(new URL('../../packages/verify/test/fixtures/', import.meta.url));
const BUILDER = 'https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main';
const IDENTITY = 'https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
/** No ambient token, no CI detection: each test states where its signer comes from. */
const ENV = Object.fromEntries(
  Object.entries({ ...process.env, SIGSTORE_ID_TOKEN: '', ACTIONS_ID_TOKEN_REQUEST_URL: '' }).filter(
    ([k]) => !k.startsWith('GITHUB_') && !k.startsWith('GITLAB') && !k.startsWith('CI_'),
  ),
);

function policy(authority: Record<string, unknown>): string {
  // YAML is a superset of JSON: the policy file is written as JSON to embed a trusted root
  return JSON.stringify({
    apiVersion: 'modelseal.dev/v1alpha1',
    kind: 'ClusterModelPolicy',
    metadata: { name: 'release-models' },
    spec: {
      authorities: [{ name: 'ci', ...authority }],
      require: [{ predicateType: 'slsa', conditions: [`predicate.runDetails.builder.id == "${BUILDER}"`] }],
    },
  });
}

describe('modelseal attest keylessly against a local Sigstore, then verify-attestation', () => {
  let ss: LocalSigstore;
  let dir: string;
  const at = (p: string) => join(dir, p);
  beforeAll(async () => {
    ss = await startLocalSigstore();
    dir = mkdtempSync(join(tmpdir(), 'modelseal-ak-'));
    cpSync(SAMPLE, at('model'), { recursive: true });
    writeFileSync(at('root.json'), JSON.stringify(ss.trustedRoot));
    writeFileSync(at('signing.json'), JSON.stringify(ss.signingConfig));
    const keyless = { issuer: ISSUER, identity: IDENTITY };
    writeFileSync(at('policy.yaml'), policy({ keyless }));
    writeFileSync(at('inline.yaml'), policy({ keyless: { ...keyless, trustedRoot: ss.trustedRoot } }));
    writeFileSync(
      at('wrong.yaml'),
      policy({
        keyless: { issuer: ISSUER, identity: 'https://github.com/evil/train/.github/workflows/x.yml' },
      }),
    );
  });
  afterAll(async () => {
    await ss?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('attests SLSA provenance with an identity token and no key; a keyless policy accepts it', async () => {
    const token = ss.mintToken({ identity: IDENTITY, issuer: ISSUER });
    const attest = ['attest', at('model'), '--type', 'slsa', '--builder-id', BUILDER, '--store', at('store')];
    const a = await runCli([...attest, '--signing-config', at('signing.json'), '-o', 'json'], {
      env: { ...ENV, SIGSTORE_ID_TOKEN: token },
    });
    expect(a.status, a.stderr).toBe(0);
    const stored = JSON.parse(a.stdout).store as string;
    const bundle = JSON.parse(readFileSync(stored, 'utf8'));
    // a Fulcio certificate, not a key hint: the bundle really was signed keylessly
    expect(bundle.verificationMaterial.certificate?.rawBytes).toBeTypeOf('string');
    expect(bundle.verificationMaterial.publicKey).toBeUndefined();

    const verify = ['verify-attestation', at('model'), '--store', at('store')];
    const v = await runCli([...verify, '--policy', at('policy.yaml'), '--trusted-root', at('root.json')], {
      env: ENV,
    });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toContain('OK');
    const inline = await runCli([...verify, '--policy', at('inline.yaml')], { env: ENV });
    expect(inline.status, inline.stderr).toBe(0);

    // the shipped public-good root does not know the local Fulcio: nothing verifies, so denied
    const publicGood = await runCli([...verify, '--policy', at('policy.yaml')], { env: ENV });
    expect(publicGood.status).toBe(EXIT_CODES.policy);
    expect(publicGood.stderr).toContain('ATTESTATION_MISSING');

    const wrong = await runCli([...verify, '--policy', at('wrong.yaml'), '--trusted-root', at('root.json')], {
      env: ENV,
    });
    expect(wrong.status).toBe(EXIT_CODES.policy);
    expect(errorCode(wrong.stderr)).toBe('POLICY_DENIED');
    // the reason names the identity problem: what the certificate says and what was expected
    expect(wrong.stderr).toContain('[IDENTITY_MISMATCH]');
    expect(wrong.stderr).toContain(IDENTITY);
    expect(wrong.stderr).toContain('https://github.com/evil/train/.github/workflows/x.yml');

    // cosign's habit: the signer named with flags, no policy file
    const byFlags = (identity: string) =>
      runCli(
        [
          ...verify,
          '--trusted-root',
          at('root.json'),
          '--certificate-identity',
          identity,
          '--certificate-oidc-issuer',
          ISSUER,
        ],
        { env: ENV },
      );
    const flagged = await byFlags(IDENTITY);
    expect(flagged.status, flagged.stderr).toBe(0);
    const otherSigner = await byFlags('https://github.com/evil/train/.github/workflows/x.yml');
    expect(otherSigner.status).toBe(EXIT_CODES.policy);
    const halfNamed = await runCli([...verify, '--certificate-identity', IDENTITY], { env: ENV });
    expect(errorCode(halfNamed.stderr)).toBe('IDENTITY_REQUIRED');
    const both = await runCli(
      [...verify, '--policy', at('policy.yaml'), '--certificate-identity', IDENTITY],
      {
        env: ENV,
      },
    );
    expect(errorCode(both.stderr)).toBe('USAGE_CONFLICT');
  });

  it('takes the token and services from flags as sign does (--identity-token-file, --fulcio-url ...)', async () => {
    const tokenFile = at('token.jwt');
    writeFileSync(tokenFile, ss.mintToken({ identity: IDENTITY, issuer: ISSUER }), { mode: 0o600 });
    const bundle = at('flags.sigstore.json');
    const a = await runCli(
      [
        'attest',
        at('model'),
        '--builder-id',
        BUILDER,
        '--bundle',
        bundle,
        '--identity-token-file',
        tokenFile,
        '--fulcio-url',
        ss.fulcioUrl,
        '--rekor-url',
        ss.rekorUrl,
      ],
      { env: ENV },
    );
    expect(a.status, a.stderr).toBe(0);
    const v = await runCli(
      [
        'verify-attestation',
        at('model'),
        '--store',
        at('empty-store'),
        '--bundle',
        bundle,
        '--policy',
        at('policy.yaml'),
        '--trusted-root',
        at('root.json'),
      ],
      { env: ENV },
    );
    expect(v.status, v.stderr).toBe(0);
  });

  it('refuses to attest with neither a key nor an identity token (NO_SIGNER, exit 2)', async () => {
    const r = await runCli(['attest', at('model'), '--builder-id', BUILDER, '--store', at('store2')], {
      env: ENV,
    });
    expect(r.status).toBe(EXIT_CODES.usage);
    expect(errorCode(r.stderr)).toBe('NO_SIGNER');
    const chainOnly = await runCli(
      ['attest', at('model'), '--builder-id', BUILDER, '--certificate-chain', join(PKI, 'leaf.pem')],
      { env: ENV },
    );
    expect(errorCode(chainOnly.stderr)).toBe('KEY_REQUIRED');
  });

  it('attests with --key + --certificate-chain; a certificate-roots policy accepts it', async () => {
    const a = await runCli(
      [
        'attest',
        at('model'),
        '--builder-id',
        BUILDER,
        '--store',
        at('cert-store'),
        '--key',
        join(PKI, 'leaf.key'),
        '--certificate-chain',
        join(PKI, 'leaf.pem'),
        '--certificate-chain',
        join(PKI, 'int.pem'),
      ],
      { env: ENV },
    );
    expect(a.status, a.stderr).toBe(0);
    const roots = (name: string) => ({ certificate: { roots: [readFileSync(join(PKI, name), 'utf8')] } });
    writeFileSync(at('cert.yaml'), policy(roots('root.pem')));
    writeFileSync(at('other.yaml'), policy(roots('other-root.pem')));
    const verify = ['verify-attestation', at('model'), '--store', at('cert-store'), '--policy'];
    const v = await runCli([...verify, at('cert.yaml')], { env: ENV });
    expect(v.status, v.stderr).toBe(0);
    const other = await runCli([...verify, at('other.yaml')], { env: ENV });
    expect(other.status).toBe(EXIT_CODES.policy);
  });
});
