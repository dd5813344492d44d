import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSigstore, startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, runCli } from './keyless-helpers.ts';

const ALICE = 'alice@example.com';
const ISSUER = 'https://oidc.local.test';
const PLAIN_ENV = { ...process.env, SIGSTORE_ID_TOKEN: '', ACTIONS_ID_TOKEN_REQUEST_URL: '' };

let dir: string;
let ss: LocalSigstore;
let other: LocalSigstore;
let expired: LocalSigstore;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-keyless-'));
  [ss, other, expired] = await Promise.all([
    startLocalSigstore(),
    startLocalSigstore(),
    // Fulcio lives an hour in the past: its 10-minute certificates expired before Rekor/TSA saw them.
    startLocalSigstore({ fulcioTime: new Date(Date.now() - 3600_000) }),
  ]);
  writeFileSync(file('root.json'), JSON.stringify(ss.trustedRoot));
  writeFileSync(file('signing.json'), JSON.stringify(ss.signingConfig));
  writeFileSync(file('other-root.json'), JSON.stringify(other.trustedRoot));
  writeFileSync(file('expired-root.json'), JSON.stringify(expired.trustedRoot));
  writeFileSync(file('expired-signing.json'), JSON.stringify(expired.signingConfig));
  const noTlogs = { ...ss.trustedRoot, tlogs: [] };
  writeFileSync(file('root-no-tlogs.json'), JSON.stringify(noTlogs));
  writeFileSync(file('artifact.bin'), 'weights v1\n'.repeat(1000));
});

afterAll(async () => {
  await Promise.all([ss?.close(), other?.close(), expired?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const token = (identity = ALICE, issuer = ISSUER) => ss.mintToken({ identity, issuer });
const verify = (bundle: string, extra: string[] = [], artifact = file('artifact.bin')) =>
  runCli([
    'verify-blob',
    artifact,
    '--bundle',
    bundle,
    ...(extra.includes('--trusted-root') ? [] : ['--trusted-root', file('root.json')]),
    '--certificate-identity',
    ALICE,
    '--certificate-oidc-issuer',
    ISSUER,
    ...extra,
  ]);
const replace = (args: string[], flag: string, value: string) => {
  const out = [...args];
  out[out.indexOf(flag) + 1] = value;
  return out;
};

describe('keyless sign-blob -> verify-blob through the CLI against a local Sigstore', () => {
  let bundle: string;

  beforeAll(async () => {
    bundle = file('artifact.sigstore.json');
    const r = await runCli(
      [
        'sign-blob',
        file('artifact.bin'),
        '--bundle',
        bundle,
        '--signing-config',
        file('signing.json'),
        '--identity-token',
        token(),
      ],
      { env: PLAIN_ENV },
    );
    expect(r.status, r.stderr).toBe(0);
  });

  it('writes a message-signature bundle with a Fulcio certificate, a Rekor entry and a TSA timestamp', () => {
    const b = JSON.parse(readFileSync(bundle, 'utf8'));
    // v0.3, one certificate (as cosign v3 writes), not @sigstore/sign's v0.2 one-certificate chain
    expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(b.verificationMaterial.certificate.rawBytes).toBeTruthy();
    expect(b.verificationMaterial.x509CertificateChain).toBeUndefined();
    expect(b.verificationMaterial.tlogEntries).toHaveLength(1);
    expect(b.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
  });

  it('verifies by file and by sha256 digest, reporting the signer', async () => {
    const r = await verify(bundle, ['--output', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).signer).toMatchObject({
      kind: 'certificate',
      identity: ALICE,
      issuer: ISSUER,
    });
    const digest = createHash('sha256')
      .update(readFileSync(file('artifact.bin')))
      .digest('hex');
    const d = await verify(bundle, [], `sha256:${digest}`);
    expect(d.status, d.stderr).toBe(0);
  });

  it('rejects a wrong identity, a wrong issuer and a prefix of the identity', async () => {
    const base = [
      'verify-blob',
      file('artifact.bin'),
      '--bundle',
      bundle,
      '--trusted-root',
      file('root.json'),
    ];
    const args = [...base, '--certificate-identity', ALICE, '--certificate-oidc-issuer', ISSUER];
    const cases: Array<[string[], string]> = [
      [replace(args, '--certificate-identity', 'bob@example.com'), 'IDENTITY_MISMATCH'],
      [replace(args, '--certificate-identity', 'alice@example'), 'IDENTITY_MISMATCH'],
      [replace(args, '--certificate-oidc-issuer', 'https://oidc.local'), 'ISSUER_MISMATCH'],
      [replace(args, '--certificate-oidc-issuer', 'https://accounts.google.com'), 'ISSUER_MISMATCH'],
    ];
    for (const [a, code] of cases) {
      const r = await runCli(a);
      expect(r.status, r.stderr).toBe(EXIT_CODES.verification);
      expect(errorCode(r.stderr)).toBe(code);
    }
  });

  it('rejects a tampered artifact and a tampered signature', async () => {
    writeFileSync(file('tampered.bin'), `${readFileSync(file('artifact.bin'), 'utf8')}x`);
    const r = await verify(bundle, [], file('tampered.bin'));
    expect(r.status).toBe(EXIT_CODES.digest);
    expect(errorCode(r.stderr)).toBe('ARTIFACT_DIGEST_MISMATCH');
    const b = JSON.parse(readFileSync(bundle, 'utf8'));
    const sig = Buffer.from(b.messageSignature.signature, 'base64');
    sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1;
    b.messageSignature.signature = sig.toString('base64');
    writeFileSync(file('bad-sig.json'), JSON.stringify(b));
    const s = await verify(file('bad-sig.json'));
    expect(s.status).toBe(EXIT_CODES.verification);
    expect(errorCode(s.stderr)).toMatch(/^SIGSTORE_/);
  });

  it('rejects the bundle under the trust root of another local instance', async () => {
    const r = await verify(bundle, ['--trusted-root', file('other-root.json')]);
    expect(r.status, r.stderr).toBe(EXIT_CODES.verification);
    expect(errorCode(r.stderr)).toMatch(/^SIGSTORE_/);
  });

  it('rejects a certificate that had expired before any timestamp', async () => {
    const b = file('expired.sigstore.json');
    const s = await runCli(
      ['sign-blob', file('artifact.bin'), '--bundle', b, '--signing-config', file('expired-signing.json')],
      { env: { ...PLAIN_ENV, SIGSTORE_ID_TOKEN: expired.mintToken({ identity: ALICE, issuer: ISSUER }) } },
    );
    expect(s.status, s.stderr).toBe(0);
    const r = await verify(b, ['--trusted-root', file('expired-root.json')]);
    expect(r.status, r.stderr).toBe(EXIT_CODES.verification);
    expect(errorCode(r.stderr)).toBe('SIGSTORE_CERTIFICATE_ERROR');
  });
});

describe('keyless signing options', () => {
  it('refuses to sign with no key and no token, naming the flags', async () => {
    const r = await runCli(['sign-blob', file('artifact.bin'), '--signing-config', file('signing.json')], {
      env: PLAIN_ENV,
    });
    expect(r.status).toBe(EXIT_CODES.usage);
    expect(errorCode(r.stderr)).toBe('NO_SIGNER');
    expect(r.stderr).toMatch(/--identity-token/);
    expect(r.stderr).toMatch(/--key/);
  });

  it('reads the token from a file, rejects malformed tokens without printing them', async () => {
    writeFileSync(file('token.txt'), `${token()}\n`);
    const ok = await runCli(
      [
        'sign-blob',
        file('artifact.bin'),
        '--signing-config',
        file('signing.json'),
        '--identity-token-file',
        file('token.txt'),
      ],
      { env: PLAIN_ENV },
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).mediaType).toMatch(/bundle/);
    const secret = 'not-a-jwt-secret-value';
    const bad = await runCli(['sign-blob', file('artifact.bin'), '--identity-token', secret], {
      env: PLAIN_ENV,
    });
    expect(errorCode(bad.stderr)).toBe('TOKEN_MALFORMED');
    expect(bad.stderr).not.toContain(secret);
  });

  it('needs a timestamp authority when Rekor upload is off; TSA-only bundles need a root without logs', async () => {
    const noTsa = await runCli(
      [
        'sign-blob',
        file('artifact.bin'),
        '--no-tlog-upload',
        '--fulcio-url',
        ss.fulcioUrl,
        '--identity-token',
        token(),
      ],
      { env: PLAIN_ENV },
    );
    expect(errorCode(noTsa.stderr)).toBe('NO_TIMESTAMP_SOURCE');
    const b = file('tsa-only.json');
    const signed = await runCli(
      [
        'sign-blob',
        file('artifact.bin'),
        '--bundle',
        b,
        '--no-tlog-upload',
        '--fulcio-url',
        ss.fulcioUrl,
        '--timestamp-server-url',
        ss.tsaUrl,
        '--identity-token',
        token(),
      ],
      { env: PLAIN_ENV },
    );
    expect(signed.status, signed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(b, 'utf8')).verificationMaterial.tlogEntries ?? []).toEqual([]);
    const strict = await verify(b);
    expect(errorCode(strict.stderr)).toBe('SIGSTORE_TLOG_ERROR');
    const relaxed = await verify(b, ['--trusted-root', file('root-no-tlogs.json')]);
    expect(relaxed.status, relaxed.stderr).toBe(0);
  });

  it("uses GitHub Actions' ambient OIDC token when no other source is set", async () => {
    const seen: string[] = [];
    const gh: Server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      if (req.headers.authorization !== 'bearer request-secret') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token() }));
    });
    await new Promise<void>((r) => gh.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(gh.address() as AddressInfo).port}/token?api-version=2.0`;
      const env = {
        ...PLAIN_ENV,
        ACTIONS_ID_TOKEN_REQUEST_URL: url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-secret',
      };
      const b = file('gha.json');
      const r = await runCli(
        ['sign-blob', file('artifact.bin'), '--bundle', b, '--signing-config', file('signing.json')],
        { env },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(seen).toEqual(['/token?api-version=2.0&audience=sigstore bearer request-secret']);
      expect((await verify(b)).status).toBe(0);
      const denied = await runCli(
        ['sign-blob', file('artifact.bin'), '--signing-config', file('signing.json')],
        {
          env: { ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' },
        },
      );
      expect(denied.status).toBe(EXIT_CODES.internal);
      expect(errorCode(denied.stderr)).toBe('GITHUB_OIDC_FAILED');
    } finally {
      await new Promise<void>((r) => gh.close(() => r()));
    }
  });
});
