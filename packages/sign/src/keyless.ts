import { IN_TOTO_PAYLOAD_TYPE, InternalError, isModelsealError, UsageError } from '@modelseal/core';
import { BUNDLE_V03_MEDIA_TYPE, bundleToJSON } from '@sigstore/bundle';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
  type Witness,
} from '@sigstore/sign';
import type { Signer, SignerConfig } from './types.ts';

type KeylessConfig = Extract<SignerConfig, { kind: 'keyless' }>;

/** Network calls to Fulcio/Rekor/TSA: bounded, a couple of retries for transient failures. */
const FETCH = { timeout: 30_000, retry: { retries: 2, minTimeout: 200, maxTimeout: 2_000 } } as const;

/**
 * Witnesses for any signer: a Rekor entry and/or an RFC 3161 timestamp. Exposed so key-based
 * signing can ask for a TSA timestamp too (`--timestamp-server-url` with `--key`).
 */
export function witnessesFor(options: {
  readonly rekorUrl?: string | undefined;
  readonly timestampServerUrl?: string | undefined;
}): Witness[] {
  const witnesses: Witness[] = [];
  if (options.rekorUrl) {
    witnesses.push(
      new RekorWitness({ rekorBaseURL: options.rekorUrl, entryType: 'dsse', majorApiVersion: 1, ...FETCH }),
    );
  }
  if (options.timestampServerUrl) {
    witnesses.push(new TSAWitness({ tsaBaseURL: options.timestampServerUrl, ...FETCH }));
  }
  return witnesses;
}

function fulcioSigner(config: KeylessConfig): FulcioSigner {
  if (!config.tlogUpload && !config.timestampServerUrl) {
    throw new UsageError({
      code: 'NO_TIMESTAMP_SOURCE',
      message: '--no-tlog-upload needs --timestamp-server-url: a keyless certificate must be timestamped',
    });
  }
  const token = config.identityToken;
  return new FulcioSigner({
    fulcioBaseURL: config.fulcioUrl,
    identityProvider: { getToken: async () => token },
    ...FETCH,
  });
}

function witnessesOf(config: KeylessConfig): Witness[] {
  return witnessesFor({
    rekorUrl: config.tlogUpload ? config.rekorUrl : undefined,
    timestampServerUrl: config.timestampServerUrl,
  });
}

/** Keyless DSSE signer: an ephemeral key, a Fulcio certificate for the token's identity, Rekor and/or TSA. */
export function keylessSigner(config: KeylessConfig): Signer {
  const builder = new DSSEBundleBuilder({ signer: fulcioSigner(config), witnesses: witnessesOf(config) });
  return {
    async sign(payload, payloadType = IN_TOTO_PAYLOAD_TYPE) {
      try {
        return bundleToJSON(
          await builder.create({ data: Buffer.from(payload), type: payloadType }),
        ) as Record<string, unknown>;
      } catch (e) {
        throw keylessFailure(e);
      }
    },
  };
}

/** cosign sign-blob: a message signature over the artifact bytes (Rekor hashedrekord). */
export function keylessBlobSigner(config: KeylessConfig): {
  sign(data: Uint8Array): Promise<Record<string, unknown>>;
} {
  const builder = new MessageSignatureBundleBuilder({
    signer: fulcioSigner(config),
    witnesses: witnessesOf(config),
  });
  return {
    async sign(data) {
      try {
        return asV03(
          bundleToJSON(await builder.create({ data: Buffer.from(data) })) as Record<string, unknown>,
        );
      } catch (e) {
        throw keylessFailure(e);
      }
    },
  };
}

/**
 * @sigstore/sign labels every message signature v0.2 with a one-certificate chain. A Fulcio leaf
 * travels alone (its issuers are in the trusted root), so the v0.3 form, a single `certificate`,
 * says the same thing in the version `sign` and cosign v3 write.
 */
function asV03(json: Record<string, unknown>): Record<string, unknown> {
  const { x509CertificateChain, ...material } = json.verificationMaterial as Record<string, unknown>;
  const leaf = (x509CertificateChain as { certificates?: unknown[] } | undefined)?.certificates?.[0];
  return {
    ...json,
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: leaf === undefined ? material : { certificate: leaf, ...material },
  };
}

function keylessFailure(e: unknown): Error {
  if (isModelsealError(e)) return e;
  const code = (e as { code?: unknown }).code;
  const cause = (e as { cause?: unknown }).cause;
  const detail = [(e as Error)?.message, cause instanceof Error ? cause.message : undefined]
    .filter(Boolean)
    .join(': ')
    // @sigstore/sign quotes a rejected token in its message; tokens are credentials.
    .replace(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '<token>');
  return new InternalError({
    code: typeof code === 'string' ? `SIGSTORE_SIGN_${code}` : 'KEYLESS_SIGNING_FAILED',
    message: `keyless signing failed: ${detail}; check the Fulcio/Rekor/TSA URLs and that the identity token is valid and unexpired`,
    cause: e,
  });
}
