import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keylessSigner } from '@modelseal/sign';
import { startLocalSigstore } from '@modelseal/testkit';
import { X509Certificate as CoreCertificate, crypto as coreCrypto, RFC3161Timestamp } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { createBlobVerifier, parseSigstoreBundle, parseTrustedRoot } from '../src/index.ts';
import { encodeAgain } from '../src/trust/asn1-memo.ts';
import publicGoodJson from '../src/trust/public-good.trusted_root.json' with { type: 'json' };
import { asn1Vectors, parsedBy } from './asn1-vectors.ts';

const ROOT = `${SHARED_VECTORS}/sigstore-conformance`;
const CASES = join(ROOT, 'bundle-verify');
const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

interface Case {
  readonly name: string;
  readonly rootJson: unknown;
  readonly bundleJson: unknown;
  readonly artifact: Uint8Array;
  readonly keyPem?: string;
  readonly identity: { identity: string; issuer: string };
}

function loadCases(): Case[] {
  const out: Case[] = [];
  for (const d of readdirSync(CASES, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const dir = join(CASES, d.name);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    let bundleJson: unknown;
    let rootJson: unknown;
    try {
      bundleJson = JSON.parse(read('bundle.sigstore.json'));
      rootJson = existsSync(join(dir, 'trusted_root.json'))
        ? JSON.parse(read('trusted_root.json'))
        : publicGoodJson;
    } catch {
      continue; // malformed JSON cases are the CLI's to reject
    }
    out.push({
      name: d.name,
      rootJson,
      bundleJson,
      artifact: readFileSync(existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(ROOT, 'a.txt')),
      ...(existsSync(join(dir, 'key.pub')) ? { keyPem: read('key.pub') } : {}),
      identity: {
        identity: existsSync(join(dir, 'identity')) ? read('identity').trim() : IDENTITY,
        issuer: existsSync(join(dir, 'issuer')) ? read('issuer').trim() : ISSUER,
      },
    });
  }
  return out;
}

/** 'ok' or the error code: what one verification of a case comes to. */
function outcome(c: Case, rootOf: (json: unknown) => ReturnType<typeof parseTrustedRoot>): string {
  try {
    const verifier = createBlobVerifier({
      trustedRoot: rootOf(c.rootJson),
      ...(c.keyPem ? { publicKeyPem: c.keyPem } : { identity: c.identity }),
    });
    verifier.verify(parseSigstoreBundle(c.bundleJson), { kind: 'bytes', data: c.artifact });
    return 'ok';
  } catch (e) {
    return String((e as { code?: unknown }).code ?? (e as Error).message);
  }
}

const cases = existsSync(CASES) ? loadCases() : [];

describe('remembered trust material (fast-material.ts)', () => {
  it('re-encodes every certificate and timestamp exactly as @sigstore/core does, and as signed', () => {
    const { certificates: ders, timestamps } = asn1Vectors();
    expect(ders.length).toBeGreaterThan(20);
    expect(timestamps.length).toBeGreaterThan(3);
    for (const [cert, der] of parsedBy((d) => [CoreCertificate.parse(d), d] as const, ders)) {
      expect(encodeAgain(cert.root).equals(cert.root.toDER())).toBe(true);
      expect(encodeAgain(cert.root).equals(der)).toBe(true);
      expect(encodeAgain(cert.tbsCertificate).equals(cert.tbsCertificate.toDER())).toBe(true);
    }
    for (const der of timestamps) {
      const ts = RFC3161Timestamp.parse(der);
      expect(encodeAgain(ts.root).equals(ts.root.toDER())).toBe(true);
    }
  });

  it('gives every conformance case the same outcome with one shared root as with a fresh root each', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const fresh = cases.map((c) => outcome(c, (json) => parseTrustedRoot(json)));
    // one parsed root per distinct trusted_root.json: its verifier and remembered answers are
    // shared by every case, good ones first and then bad ones, and again in reverse order
    const shared = new Map<string, ReturnType<typeof parseTrustedRoot>>();
    const rootOf = (json: unknown) => {
      const key = JSON.stringify(json);
      let r = shared.get(key);
      if (!r) {
        r = parseTrustedRoot(json);
        shared.set(key, r);
      }
      return r;
    };
    const order = cases
      .map((_, i) => i)
      .sort((a, b) => (fresh[a] === 'ok' ? 0 : 1) - (fresh[b] === 'ok' ? 0 : 1));
    const forward = new Array<string>(cases.length);
    for (const i of order) forward[i] = outcome(cases[i]!, rootOf);
    const backward = new Array<string>(cases.length);
    for (const i of [...order].reverse()) backward[i] = outcome(cases[i]!, rootOf);
    expect(forward).toEqual(fresh);
    expect(backward).toEqual(fresh);
    // the comparison means something: certificate bundles both pass and fail here
    const certificateCases = cases.map((c, i) => ({ c, r: fresh[i] })).filter(({ c }) => !c.keyPem);
    expect(certificateCases.filter(({ r }) => r === 'ok').length).toBeGreaterThanOrEqual(10);
    expect(certificateCases.filter(({ r }) => r !== 'ok').length).toBeGreaterThanOrEqual(15);
  });
});

describe('remembered answers never carry over to other bytes', () => {
  it('after good bundles, a leaf or timestamp with an altered signature still fails', async () => {
    const sigstore = await startLocalSigstore();
    try {
      const identity = { identity: 'memo@example.com', issuer: 'https://oidc.memo.test' };
      const signer = keylessSigner(sigstore.keylessConfig(identity));
      const artifact = new Uint8Array(Buffer.from('remembered bytes'));
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'a', digest: { sha256: createHash('sha256').update(artifact).digest('hex') } }],
        predicateType: 'https://example.com/memo',
        predicate: {},
      };
      const payload = new Uint8Array(Buffer.from(JSON.stringify(statement)));
      const good = [await signer.sign(payload), await signer.sign(payload)];
      const verifier = createBlobVerifier({ trustedRoot: parseTrustedRoot(sigstore.trustedRoot), identity });
      const run = (json: unknown) => {
        try {
          verifier.verify(parseSigstoreBundle(json), { kind: 'bytes', data: artifact });
          return 'ok';
        } catch (e) {
          return String((e as { code?: unknown }).code);
        }
      };
      for (const b of good) expect(run(b)).toBe('ok');
      // trust-root keys are parsed once; any other key as often as the library asks
      const tsa = (
        sigstore.trustedRoot.timestampAuthorities as { certChain: { certificates: { rawBytes: string }[] } }[]
      )[0]!;
      const tsaKey = CoreCertificate.parse(
        Buffer.from(tsa.certChain.certificates[0]!.rawBytes, 'base64'),
      ).publicKey;
      expect(coreCrypto.createPublicKey(tsaKey)).toBe(coreCrypto.createPublicKey(tsaKey));
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        format: 'der',
        type: 'spki',
      });
      expect(coreCrypto.createPublicKey(other)).not.toBe(coreCrypto.createPublicKey(other));
      // the last byte of a certificate or timestamp is the last byte of its ECDSA signature
      const flipLast = (b64: string) => {
        const bytes = Buffer.from(b64, 'base64');
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
        return bytes.toString('base64');
      };
      type Vm = {
        certificate: { rawBytes: string };
        timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] };
      };
      const tampered = (edit: (vm: Vm) => void) => {
        const copy = structuredClone(good[0]) as { verificationMaterial: Vm };
        edit(copy.verificationMaterial);
        return copy;
      };
      const badLeaf = tampered((vm) => {
        vm.certificate.rawBytes = flipLast(vm.certificate.rawBytes);
      });
      const badTimestamp = tampered((vm) => {
        const t = vm.timestampVerificationData.rfc3161Timestamps[0]!;
        t.signedTimestamp = flipLast(t.signedTimestamp);
      });
      expect(run(badLeaf)).toBe('SIGSTORE_CERTIFICATE_ERROR');
      expect(run(badTimestamp)).toBe('SIGSTORE_TIMESTAMP_ERROR');
      for (const b of good) expect(run(b)).toBe('ok');
    } finally {
      await sigstore.close();
    }
  }, 60_000);
});
