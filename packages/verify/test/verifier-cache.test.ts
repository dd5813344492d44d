import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, verifyBundle } from '../src/index.ts';
import publicGoodJson from '../src/trust/public-good.trusted_root.json' with { type: 'json' };

// counts how often Sigstore trust material is built, without changing what is built
const built = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/trust/sigstore-verifier.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/trust/sigstore-verifier.ts')>();
  return {
    ...real,
    createSigstoreEntityVerifier: (...args: Parameters<typeof real.createSigstoreEntityVerifier>) => {
      built.count++;
      return real.createSigstoreEntityVerifier(...args);
    },
  };
});

const bundle = readFileSync(`${SHARED_VECTORS}/model-transparency/v1.1.0-sigstore/model.sig`);
const identity = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };

describe('Sigstore verifiers are cached per parsed root object and identity policy', () => {
  it('builds once for one root and policy, again for another root object or policy', async () => {
    const root = publicGoodTrustedRoot();
    const before = built.count;
    for (let i = 0; i < 3; i++)
      await verifyBundle({ bundle, trust: { kind: 'sigstore', trustedRoot: root }, identity });
    expect(built.count - before).toBe(1);
    await verifyBundle({
      bundle,
      trust: { kind: 'sigstore', trustedRoot: parseTrustedRoot(publicGoodJson) },
      identity,
    });
    expect(built.count - before).toBe(2);
    await verifyBundle({
      bundle,
      trust: { kind: 'sigstore', trustedRoot: root },
      identity: { issuer: identity.issuer, identityRegexp: '^stefanb@us\\.ibm\\.com$' },
    });
    expect(built.count - before).toBe(3);
  });
});
