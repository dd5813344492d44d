import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/codes.ts';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, verifyBundle } from '../src/index.ts';
import publicGoodJson from '../src/trust/public-good.trusted_root.json' with { type: 'json' };

const MT = `${SHARED_VECTORS}/model-transparency`;
const IDENTITY = 'stefanb@us.ibm.com';
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';
const bundleOf = (v: string) => new Uint8Array(readFileSync(`${MT}/${v}-sigstore/model.sig`));

describe("verifyBundle with TrustConfig kind 'sigstore'", () => {
  it.each(['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'])(
    'verifies model_signing %s keyless bundles offline',
    async (v) => {
      const r = await verifyBundle({
        bundle: bundleOf(v),
        trust: { kind: 'sigstore', trustedRoot: publicGoodTrustedRoot() },
        identity: { identity: IDENTITY, issuer: ISSUER },
      });
      expect(r.signer).toMatchObject({ kind: 'certificate', identity: IDENTITY, issuer: ISSUER });
      expect(r.statement.predicateType).toBe('https://model_signing/signature/v1.0');
    },
  );

  it('accepts the public-good root parsed from its JSON by the caller', async () => {
    const r = await verifyBundle({
      bundle: bundleOf('v1.1.0'),
      trust: { kind: 'sigstore', trustedRoot: parseTrustedRoot(publicGoodJson) },
      identity: { identityRegexp: '.*@us\\.ibm\\.com', issuer: ISSUER },
    });
    expect(r.signer.kind).toBe('certificate');
  });

  it('rejects other identities, prefixes, missing policy, and a root that trusts another instance', async () => {
    const base = {
      bundle: bundleOf('v1.1.0'),
      trust: { kind: 'sigstore', trustedRoot: publicGoodTrustedRoot() } as const,
    };
    expect(
      await codeOf(verifyBundle({ ...base, identity: { identity: 'stefanb@us.ibm', issuer: ISSUER } })),
    ).toBe('IDENTITY_MISMATCH');
    expect(
      await codeOf(verifyBundle({ ...base, identity: { identity: IDENTITY, issuer: 'https://x' } })),
    ).toBe('ISSUER_MISMATCH');
    expect(await codeOf(verifyBundle({ ...base, identity: { identity: IDENTITY } }))).toBe(
      'IDENTITY_REQUIRED',
    );
    expect(await codeOf(verifyBundle(base))).toBe('IDENTITY_REQUIRED');
    const other = parseTrustedRoot(
      JSON.parse(
        readFileSync(
          `${SHARED_VECTORS}/sigstore-conformance/bundle-verify/intoto-with-custom-trust-root/trusted_root.json`,
          'utf8',
        ),
      ),
    );
    const code = await codeOf(
      verifyBundle({
        ...base,
        trust: { kind: 'sigstore', trustedRoot: other },
        identity: { identity: IDENTITY, issuer: ISSUER },
      }),
    );
    expect(code).toMatch(/^SIGSTORE_/);
  });
});
