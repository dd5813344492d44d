import nodeCrypto, { createHash, X509Certificate } from 'node:crypto';
import { keylessSigner } from '@modelseal/sign';
import { type LocalSigstore, startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseBundle } from '../src/bundle.ts';
import { parseTrustedRoot, verifyBundle } from '../src/index.ts';
import { verifySigstoreBundle } from '../src/trust/sigstore-statement.ts';
import type { SignerInfo } from '../src/types.ts';

/**
 * Everything fast-material.ts remembers or reuses (trust-root verdicts, encodings, parsed keys,
 * OpenSSL's parse of the leaf) must leave each check to the library: after good bundles have
 * warmed one shared root, each tampered bundle fails with the code it fails with on a fresh root,
 * and that code is the one the unmemoised library gave (the table below, taken before any of it).
 */

const identity = { identity: 'tamper@example.com', issuer: 'https://oidc.tamper.test' };

type Json = Record<string, unknown>;
interface Vm {
  certificate: { rawBytes: string };
  tlogEntries: { inclusionPromise: { signedEntryTimestamp: string } }[];
  timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] };
}
interface SignedBundle {
  verificationMaterial: Vm;
  dsseEnvelope: { payload: string };
}

const statement = (name: string) => {
  const digest = createHash('sha256').update(name).digest('hex');
  return new Uint8Array(
    Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name, digest: { sha256: digest } }],
        predicateType: 'https://example.com/tamper',
        predicate: {},
      }),
    ),
  );
};

/** the last byte of a DER certificate, timestamp token or ECDSA signature is part of a signature */
const flipLast = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
  return bytes.toString('base64');
};

const edited = (b: Json, edit: (copy: SignedBundle) => void): Json => {
  const copy = structuredClone(b) as unknown as SignedBundle;
  edit(copy);
  return copy as unknown as Json;
};

const signerIdentity = (s: SignerInfo) => (s.kind === 'certificate' ? s.identity : undefined);

const bytesOf = (b: Json) => new Uint8Array(Buffer.from(JSON.stringify(b)));

async function outcome(bundle: Json, root: ReturnType<typeof parseTrustedRoot>): Promise<string> {
  try {
    await verifyBundle({ bundle: bytesOf(bundle), trust: { kind: 'sigstore', trustedRoot: root }, identity });
    return 'ok';
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
}

let sigstore: LocalSigstore;
let expiredSigstore: LocalSigstore;
let good: Json[];
/** signed by another keyless signer: another ephemeral key and certificate */
let other: Json;
let expired: Json;

beforeAll(async () => {
  sigstore = await startLocalSigstore();
  // Fulcio an hour behind: its 10-minute certificates expired before the TSA and Rekor saw them
  expiredSigstore = await startLocalSigstore({ fulcioTime: new Date(Date.now() - 3600_000) });
  // `other` first: its certificate (valid from the second it was issued) must already be valid at
  // good[0]'s timestamps, so that a bundle given its leaf fails on the signature, not on the dates
  other = await keylessSigner(sigstore.keylessConfig(identity)).sign(statement('a'));
  const signer = keylessSigner(sigstore.keylessConfig(identity));
  good = [await signer.sign(statement('a')), await signer.sign(statement('b'))];
  expired = await keylessSigner(expiredSigstore.keylessConfig(identity)).sign(statement('c'));
}, 60_000);

afterAll(async () => {
  await sigstore?.close();
  await expiredSigstore?.close();
});

describe('tampered certificate bundles fail as without remembered material (verifyBundle from bytes)', () => {
  const cases: Array<[string, () => Json, string]> = [
    [
      'changed DSSE payload',
      () =>
        edited(good[0]!, (b) => {
          b.dsseEnvelope.payload = Buffer.from(statement('z')).toString('base64');
        }),
      'SIGSTORE_TLOG_BODY_ERROR',
    ],
    [
      'changed SET',
      () =>
        edited(good[0]!, (b) => {
          const e = b.verificationMaterial.tlogEntries[0]!;
          e.inclusionPromise.signedEntryTimestamp = flipLast(e.inclusionPromise.signedEntryTimestamp);
        }),
      'SIGSTORE_TLOG_INCLUSION_PROMISE_ERROR',
    ],
    [
      'changed TSA token',
      () =>
        edited(good[0]!, (b) => {
          const t = b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]!;
          t.signedTimestamp = flipLast(t.signedTimestamp);
        }),
      'SIGSTORE_TIMESTAMP_ERROR',
    ],
    [
      'altered leaf signature',
      () =>
        edited(good[0]!, (b) => {
          b.verificationMaterial.certificate.rawBytes = flipLast(b.verificationMaterial.certificate.rawBytes);
        }),
      'SIGSTORE_CERTIFICATE_ERROR',
    ],
    [
      "another bundle's leaf",
      () =>
        edited(good[0]!, (b) => {
          b.verificationMaterial.certificate = (
            other as unknown as SignedBundle
          ).verificationMaterial.certificate;
        }),
      'SIGSTORE_SIGNATURE_ERROR',
    ],
  ];

  it.each(cases)('%s', async (_name, make, code) => {
    const shared = parseTrustedRoot(sigstore.trustedRoot);
    for (const b of good) expect(await outcome(b, shared)).toBe('ok');
    const bad = make();
    expect(await outcome(bad, parseTrustedRoot(sigstore.trustedRoot))).toBe(code);
    expect(await outcome(bad, shared)).toBe(code);
    expect(await outcome(bad, shared)).toBe(code);
    for (const b of good) expect(await outcome(b, shared)).toBe('ok');
  });

  it('a certificate expired at its timestamps fails, also once the root is warm', async () => {
    const shared = parseTrustedRoot(expiredSigstore.trustedRoot);
    const code = 'SIGSTORE_CERTIFICATE_ERROR';
    expect(await outcome(expired, parseTrustedRoot(expiredSigstore.trustedRoot))).toBe(code);
    expect(await outcome(expired, shared)).toBe(code);
    expect(await outcome(expired, shared)).toBe(code);
  });
});

describe("the leaf's key is taken from OpenSSL's parse only when that parse is of the same bytes", () => {
  it("another certificate's parse is not used: the bundle verifies with its own leaf's key", () => {
    const root = parseTrustedRoot(sigstore.trustedRoot);
    const [a, b] = [good[0]!, other].map((g) => parseBundle(bytesOf(g)));
    const leafOf = (p: ReturnType<typeof parseBundle>) =>
      p.material.kind === 'chain' ? p.material.certificates[0]! : undefined;
    const parses = vi.spyOn(nodeCrypto, 'createPublicKey');
    // only parses of a's own key count: a fresh root's trust-root keys are parsed in the same call
    const aKey = leafOf(a!)!.publicKey.export({ type: 'spki', format: 'der' });
    const parsedAKey = () =>
      parses.mock.calls.some(([k]) => {
        const der = (k as { key?: unknown }).key;
        return Buffer.isBuffer(der) && der.equals(aKey);
      });
    try {
      expect(signerIdentity(verifySigstoreBundle(a!.bundle, root, identity, leafOf(b!)))).toBe(
        identity.identity,
      );
      expect(parsedAKey()).toBe(true); // b's parse refused: the library parsed a's key itself
      parses.mockClear();
      expect(signerIdentity(verifySigstoreBundle(a!.bundle, root, identity, leafOf(a!)))).toBe(
        identity.identity,
      );
      expect(parsedAKey()).toBe(false); // the shortcut is taken when it may be
    } finally {
      parses.mockRestore();
    }
    // and the bundle with a foreign leaf fails however its own leaf is presented
    const foreign = parseBundle(
      bytesOf(
        edited(good[0]!, (x) => {
          x.verificationMaterial.certificate = (
            other as unknown as SignedBundle
          ).verificationMaterial.certificate;
        }),
      ),
    );
    const code = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return String((e as { code?: unknown }).code);
      }
    };
    // (the DSSE check is what fails: were a's key lent to b's leaf, this bundle would pass)
    expect(code(() => verifySigstoreBundle(foreign.bundle, root, identity, leafOf(a!)))).toBe(
      'SIGSTORE_SIGNATURE_ERROR',
    );
    const certOf = (g: Json) =>
      new X509Certificate(
        Buffer.from((g as unknown as SignedBundle).verificationMaterial.certificate.rawBytes, 'base64'),
      );
    expect(code(() => verifySigstoreBundle(foreign.bundle, root, identity, certOf(good[0]!)))).toBe(
      'SIGSTORE_SIGNATURE_ERROR',
    );
    expect(code(() => verifySigstoreBundle(foreign.bundle, root, identity, leafOf(foreign)))).toBe(
      'SIGSTORE_SIGNATURE_ERROR',
    );
  });
});
