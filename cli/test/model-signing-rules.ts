/**
 * The checks model_signing 1.1.x makes on a bundle before it looks at the statement
 * (sign_sigstore_pb.Verifier, sign_ec_key.Verifier, sign_certificate.Verifier), restated so a
 * test can hold our bundles to them without Python: media type, key hint, chain layout, an EC
 * key and the curve's hash over the DSSE PAE.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const CURVE_HASH: Record<string, string> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

// biome-ignore lint/suspicious/noExplicitAny: bundle JSON as model_signing reads it
type Json = Record<string, any>;

function paeOf(payload: Buffer): Buffer {
  const type = 'application/vnd.in-toto+json';
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${payload.length} `), payload]);
}

function checkSignature(bundle: Json, key: KeyObject): void {
  const hash = CURVE_HASH[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType !== 'ec' || !hash) throw new Error(`model_signing: unsupported key`);
  const env = bundle.dsseEnvelope;
  const payload = Buffer.from(env.payload, 'base64');
  if (!verify(hash, paeOf(payload), key, Buffer.from(env.signatures[0].sig, 'base64')))
    throw new Error('model_signing: InvalidSignature');
}

/** Throws with model_signing's reason when it would refuse the bundle; `publicKeyPem` for key mode. */
export function modelSigningKeyCheck(bundle: Json, publicKeyPem: string): void {
  if (bundle.mediaType !== MEDIA_TYPE)
    throw new Error(`Invalid sigstore bundle, got media type ${bundle.mediaType}`);
  const key = createPublicKey(publicKeyPem);
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  const hint = bundle.verificationMaterial?.publicKey?.hint;
  if (hint && hint !== createHash('sha256').update(pem).digest('hex')) throw new Error('Key mismatch');
  checkSignature(bundle, key);
}

/** Certificate mode: the chain from `x509CertificateChain` (leaf first) must verify to `rootPem`. */
export function modelSigningCertificateCheck(bundle: Json, rootPem: string): void {
  if (bundle.mediaType !== MEDIA_TYPE)
    throw new Error(`Invalid sigstore bundle, got media type ${bundle.mediaType}`);
  const certs: X509Certificate[] = (
    bundle.verificationMaterial?.x509CertificateChain?.certificates ?? []
  ).map((c: { rawBytes: string }) => new X509Certificate(Buffer.from(c.rawBytes, 'base64')));
  const [leaf, ...rest] = certs;
  if (!leaf) throw new Error('IndexError: no certificate in x509_certificate_chain');
  const dir = mkdtempSync(join(tmpdir(), 'ms-rules-'));
  try {
    writeFileSync(join(dir, 'root.pem'), rootPem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.toString());
    writeFileSync(join(dir, 'rest.pem'), rest.map((c) => c.toString()).join(''));
    // model_signing checks the chain at the leaf's notBefore, as OpenSSL's -attime does here
    const at = String(Math.floor(new Date(leaf.validFrom).getTime() / 1000));
    const untrusted = rest.length ? ['-untrusted', join(dir, 'rest.pem')] : [];
    execFileSync(
      'openssl',
      ['verify', '-attime', at, '-CAfile', join(dir, 'root.pem'), ...untrusted, join(dir, 'leaf.pem')],
      {
        stdio: 'pipe',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  checkSignature(bundle, leaf.publicKey);
}

/**
 * A fresh root -> intermediate -> leaf PKI (openssl), issued in that order so each certificate's
 * notBefore follows its issuer's: model_signing checks the chain at the leaf's notBefore.
 */
export function makePki(
  dir: string,
  curve = 'P-256',
): { leafKey: string; leaf: string; int: string; root: string } {
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  for (const k of ['root', 'int', 'leaf'])
    run(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', f(`${k}.key`)]);
  writeFileSync(f('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
  writeFileSync(
    f('leaf.ext'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n',
  );
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    f('root.key'),
    '-subj',
    '/CN=rules root',
    '-days',
    '30',
    '-out',
    f('root.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  const issue = (name: string, cn: string, ca: string, ext: string) => {
    run(['req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`)]);
    run([
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f(`${ca}.pem`),
      '-CAkey',
      f(`${ca}.key`),
      '-CAcreateserial',
      '-days',
      '20',
      '-extfile',
      f(ext),
      '-out',
      f(`${name}.pem`),
    ]);
  };
  issue('int', 'rules intermediate', 'root', 'ca.ext');
  issue('leaf', 'rules signer', 'int', 'leaf.ext');
  return { leafKey: f('leaf.key'), leaf: f('leaf.pem'), int: f('int.pem'), root: f('root.pem') };
}
