import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import {
  fromBase64,
  IN_TOTO_PAYLOAD_TYPE,
  type InputCode,
  InputError,
  isRecord,
  parseJson,
} from '@modelseal/core';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  type BundleWithDsseEnvelope,
  bundleFromJSON,
} from '@sigstore/bundle';

const MEDIA_TYPES = [
  BUNDLE_V03_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V01_MEDIA_TYPE,
];

/** A bundle holds a few KiB of certificates and one statement; 64 MiB leaves room for huge manifests. */
const BUNDLE_LIMITS = { maxBytes: 64 * 1024 * 1024, maxDepth: 32 } as const;

/** Who the bundle says signed it, before anything is trusted. */
export type BundleKeyMaterial =
  | { readonly kind: 'hint'; readonly hint: string }
  | { readonly kind: 'raw-key'; readonly key: KeyObject }
  | { readonly kind: 'chain'; readonly certificates: readonly X509Certificate[] };

export interface ParsedBundle {
  readonly bundle: BundleWithDsseEnvelope;
  /** the exact DSSE payload bytes */
  readonly payload: Uint8Array;
  readonly payloadType: string;
  readonly material: BundleKeyMaterial;
}

function bad(code: InputCode, message: string): never {
  throw new InputError({ code, message: `signature bundle: ${message}` });
}

/** Strict structural checks first, each with its own code, then @sigstore/bundle's own validation. */
export function parseBundle(input: Uint8Array | string | unknown): ParsedBundle {
  const json =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJson(input, 'signature bundle', BUNDLE_LIMITS)
      : input;
  if (!isRecord(json)) bad('BUNDLE_NOT_OBJECT', 'the file is not a JSON object');
  if (typeof json.mediaType !== 'string' || !MEDIA_TYPES.includes(json.mediaType)) {
    bad(
      'BUNDLE_MEDIA_TYPE_UNKNOWN',
      `mediaType ${JSON.stringify(json.mediaType)} is not a Sigstore bundle (expected ${BUNDLE_V03_MEDIA_TYPE})`,
    );
  }
  if (!isRecord(json.dsseEnvelope)) {
    bad('BUNDLE_NOT_DSSE', 'no dsseEnvelope: model signatures are DSSE-signed in-toto statements');
  }
  const env = json.dsseEnvelope;
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    bad(
      'PAYLOAD_TYPE_UNSUPPORTED',
      `payloadType ${JSON.stringify(env.payloadType)} must be "${IN_TOTO_PAYLOAD_TYPE}"`,
    );
  }
  if (!Array.isArray(env.signatures) || env.signatures.length !== 1) {
    const n = Array.isArray(env.signatures) ? env.signatures.length : 0;
    bad('BUNDLE_SIGNATURE_COUNT', `the envelope carries ${n} signatures; exactly one is required`);
  }
  const sig = env.signatures[0];
  if (!isRecord(sig) || typeof sig.sig !== 'string' || sig.sig === '')
    bad('BUNDLE_SIGNATURE_MISSING', 'the signature is empty');
  fromBase64(sig.sig, 'signature');
  if (typeof env.payload !== 'string' || env.payload === '')
    bad('BUNDLE_PAYLOAD_MISSING', 'the envelope has no payload');
  const payload = fromBase64(env.payload, 'DSSE payload');
  if (!isRecord(json.verificationMaterial))
    bad('BUNDLE_NO_VERIFICATION_MATERIAL', 'verificationMaterial is missing');
  const material = keyMaterial(json.verificationMaterial);
  let bundle: BundleWithDsseEnvelope;
  try {
    // model_signing 0.3-1.0 omitted tlogEntries; @sigstore/bundle requires the field. It also
    // writes an x509CertificateChain into v0.3 bundles, which the v0.3 schema forbids: we keep
    // the chain (parsed above) and let @sigstore/bundle validate the rest with the leaf alone.
    const { x509CertificateChain, ...rest } = json.verificationMaterial;
    const leaf =
      isRecord(x509CertificateChain) && Array.isArray(x509CertificateChain.certificates)
        ? { certificate: x509CertificateChain.certificates[0] }
        : {};
    const vm = { tlogEntries: [], ...rest, ...leaf };
    bundle = bundleFromJSON({ ...json, verificationMaterial: vm }) as BundleWithDsseEnvelope;
  } catch (e) {
    bad('BUNDLE_INVALID', (e as Error).message);
  }
  return { bundle, payload, payloadType: IN_TOTO_PAYLOAD_TYPE, material };
}

function keyMaterial(vm: Record<string, unknown>): BundleKeyMaterial {
  if (isRecord(vm.publicKey)) {
    const { hint, rawBytes } = vm.publicKey;
    if (typeof hint === 'string' && hint !== '') return { kind: 'hint', hint };
    // model_signing 0.3-1.0 wrote the PEM text of the key, base64-encoded, as rawBytes.
    if (typeof rawBytes === 'string' && rawBytes !== '')
      return { kind: 'raw-key', key: rawPublicKey(rawBytes) };
    bad('BUNDLE_NO_VERIFICATION_MATERIAL', 'publicKey has neither a hint nor rawBytes');
  }
  const chain = isRecord(vm.x509CertificateChain)
    ? vm.x509CertificateChain.certificates
    : isRecord(vm.certificate)
      ? [vm.certificate]
      : undefined;
  if (!Array.isArray(chain) || chain.length === 0) {
    bad('BUNDLE_NO_VERIFICATION_MATERIAL', 'verificationMaterial has no public key and no certificate');
  }
  if (chain.length > 10)
    bad('CERTIFICATE_CHAIN_TOO_LONG', `${chain.length} certificates; at most 10 are accepted`);
  const certificates = chain.map((c, i) => {
    if (!isRecord(c) || typeof c.rawBytes !== 'string')
      bad('CERTIFICATE_INVALID', `certificate #${i + 1} has no rawBytes`);
    try {
      return new X509Certificate(fromBase64(c.rawBytes, `certificate #${i + 1}`));
    } catch {
      return bad('CERTIFICATE_INVALID', `certificate #${i + 1} is not a DER X.509 certificate`);
    }
  });
  return { kind: 'chain', certificates };
}

function rawPublicKey(b64: string): KeyObject {
  const bytes = Buffer.from(fromBase64(b64, 'publicKey.rawBytes'));
  try {
    const text = bytes.toString('utf8');
    return text.includes('-----BEGIN')
      ? createPublicKey({ key: text, format: 'pem' })
      : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch {
    return bad('PUBLIC_KEY_INVALID', 'publicKey.rawBytes is not a PEM or DER public key');
  }
}
