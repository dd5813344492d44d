/**
 * What to type next, for errors the CLI can help with. Library messages say what is wrong in
 * words any caller understands (the webhook puts them in admission denials); only here are they
 * turned into flags, because only here are there flags.
 */
import type { ErrorCode, ModelsealError } from '@modelseal/core';

type Hint = string | ((e: ModelsealError) => string | undefined);

const IGNORE = 'add the path to --ignore-paths to leave it out of the signature';

const HINTS: Partial<Record<ErrorCode, Hint>> = {
  SYMLINK_REFUSED: `pass --allow-symlinks to hash link targets, or ${IGNORE}`,
  BROKEN_SYMLINK: IGNORE,
  SPECIAL_FILE: IGNORE,
  PERMISSION_DENIED: IGNORE,
  KEY_TOO_WEAK: 'generate a stronger key with: modelseal keygen --algorithm rsa-3072 (or ecdsa-p256)',
  KEY_PASSPHRASE_REQUIRED:
    'set MODELSEAL_KEY_PASSPHRASE (or name another variable with --passphrase-env), or run on a terminal to be prompted',
  TIMESTAMP_REQUIRED: 'sign with --timestamp-server-url <TSA URL> so the signing time can be checked',
  TIMESTAMP_UNTRUSTED: 'pass the trusted_root.json of the TSA used when signing with --trusted-root',
  TRUST_ROOT_NO_TSA: 'pass a trusted_root.json that names your TSA with --trusted-root',
  CERTIFICATE_EXPIRED:
    'to check a signature made while the certificate was valid, pass --verify-time <RFC 3339 time>',
  CERTIFICATE_CHAIN_UNTRUSTED: 'the trusted roots are the PEM files given with --certificate-chain',
  CERTIFICATE_ROOT_INVALID: 'check the PEM files given with --certificate-chain',
  BUNDLE_NOT_KEY_SIGNED: 'drop --key and pass --certificate-identity and --certificate-oidc-issuer',
  KEY_REQUIRED: (e) => (e.details?.['role'] === 'verify' ? 'pass the public key with --key' : undefined),
  PUBLIC_KEY_INVALID: 'check the file given with --key',
  TRUST_ROOT_INVALID:
    'fix the file given with --trusted-root, or leave the flag out for the public-good root',
  TRUST_ROOT_MEDIA_TYPE: 'pass a Sigstore trusted_root.json with --trusted-root',
  TRUST_ROOT_VALIDITY: 'fix the file given with --trusted-root',
  TRUST_ROOT_EMPTY: 'pass a trusted_root.json that trusts at least one log, CA or TSA with --trusted-root',
  TRUST_MODE_MISMATCH: (e) =>
    e.details?.['signedWith'] === 'certificate'
      ? 'verify it with --certificate-chain <root CA PEM>, or --certificate-identity/--certificate-oidc-issuer for Sigstore'
      : 'verify it with --key <public key PEM>',
  IDENTITY_CONFLICT: (e) =>
    `give either --certificate-${String(e.details?.['field'] ?? 'identity')} or --certificate-${String(e.details?.['field'] ?? 'identity')}-regexp`,
  REGISTRY_INSECURE_REFUSED: (e) =>
    e.details?.['protocol'] === 'http:'
      ? 'for a plain-HTTP registry on this machine (localhost, 127.0.0.0/8, [::1]) pass --allow-insecure-registry'
      : undefined,
  REGISTRY_TLS_FAILED: "pass the registry's CA certificate (PEM) with --registry-ca",
  REGISTRY_TIMEOUT: 'allow each registry request more time with --registry-timeout <seconds>',
  KUBE_AUTH_FAILED: 'check the credentials of the context given with --kubeconfig (and --context)',
  KUBE_DENIED: 'the kubeconfig user needs list on pods and on the modelseal.dev resources',
  KUBECONFIG_INVALID: 'fix the file given with --kubeconfig, or pick another --context',
  PASSWORD_FLAG_REFUSED:
    'set MODELSEAL_KEY_PASSPHRASE (or name another variable with --passphrase-env), or run on a terminal to be prompted',
  STAGING_UNSUPPORTED: "pass the staging instance's --trusted-root (verify) or --signing-config (sign)",
  METHOD_UNKNOWN: 'repeat a flag for each value: --certificate-chain A --certificate-chain B <model>',
  PKCS11_PIN_REQUIRED:
    'add pin-source=file:/path/to/pin to the --key URI (or pin-value=…), or run on a terminal to be prompted',
  PKCS11_MODULE_REQUIRED:
    'add module-path=/path/to/module.so to the --key URI, pass --pkcs11-module, or set MODELSEAL_PKCS11_MODULE',
  PKCS11_MODULE_NOT_FOUND:
    'SoftHSM2 on Debian is /usr/lib/softhsm/libsofthsm2.so; check --pkcs11-module or module-path',
  PKCS11_TOKEN_NOT_FOUND: 'list the tokens with: pkcs11-tool --module <module.so> --list-token-slots',
  PKCS11_OBJECT_NOT_FOUND:
    'list the keys with: pkcs11-tool --module <module.so> --token-label <token> --login --list-objects --type privkey',
  PKCS11_PIN_INCORRECT: 'check the PIN file named by pin-source in --key (one final newline is dropped)',
  IDENTITY_REQUIRED:
    'pass --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer (or --certificate-oidc-issuer-regexp)',
};

export function hintFor(e: ModelsealError): string | undefined {
  const h = HINTS[e.code];
  return typeof h === 'function' ? h(e) : h;
}
