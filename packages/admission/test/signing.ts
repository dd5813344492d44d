/** Real key-signed attestations for tests: @modelseal/sign over @sigstore/sign, nothing faked. */
import { buildStatement, serializeStatement } from '@modelseal/attest';
import { utf8 } from '@modelseal/core';
import { createSigner, generateKeyPair } from '@modelseal/sign';
import { publicGoodTrustedRoot } from '@modelseal/verify';
import { createEngine } from '../src/engine.ts';

/** The engine as the webhook's main and `policy test` build it when no --trusted-root is given. */
export const testEngine = createEngine({ defaultTrustedRoot: publicGoodTrustedRoot() });

export const OMS = 'https://model_signing/signature/v1.0';
export const SLSA = 'https://slsa.dev/provenance/v1';

export interface TestSigner {
  readonly publicKeyPem: string;
  /** a Sigstore bundle (bytes) over a digest-only statement for `subject` */
  attest(subject: string, predicateType?: string, predicate?: Record<string, unknown>): Promise<Uint8Array>;
}

const OMS_PREDICATE = {
  serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
  resources: [],
};

export function testSigner(): TestSigner {
  const pair = generateKeyPair('ecdsa-p256');
  const signer = createSigner({ kind: 'key', privateKeyPem: pair.privateKeyPem });
  return {
    publicKeyPem: pair.publicKeyPem,
    async attest(subject, predicateType = OMS, predicate = predicateType === OMS ? OMS_PREDICATE : {}) {
      const statement = buildStatement(
        [{ name: 'model', digest: { sha256: subject.slice('sha256:'.length) } }],
        predicateType,
        predicate,
      );
      const bundle = await signer.sign(serializeStatement(statement));
      return utf8(JSON.stringify(bundle));
    },
  };
}

/** A policy document with one key authority per signer. */
export function policyDoc(
  name: string,
  authorities: Record<string, TestSigner>,
  spec: Record<string, unknown> = {},
  kind: 'ClusterModelPolicy' | 'ModelPolicy' = 'ClusterModelPolicy',
  namespace?: string,
) {
  return {
    apiVersion: 'modelseal.dev/v1alpha1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      authorities: Object.entries(authorities).map(([n, s]) => ({
        name: n,
        key: { publicKey: s.publicKeyPem },
      })),
      require: [{ predicateType: OMS }],
      ...spec,
    },
  };
}
