import type { X509Certificate } from 'node:crypto';
import { VerificationError } from '@modelseal/core';

const MAX_DEPTH = 10;

const name = (c: X509Certificate): string => c.subject.replace(/\n/g, ', ');

function checkValidity(cert: X509Certificate, now: Date): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) {
    throw new VerificationError({
      code: 'CERTIFICATE_NOT_YET_VALID',
      message: `certificate "${name(cert)}" is not valid before ${from.toISOString()}`,
      details: { subject: name(cert), notBefore: from.toISOString() },
    });
  }
  if (now > to) {
    throw new VerificationError({
      code: 'CERTIFICATE_EXPIRED',
      message: `certificate "${name(cert)}" expired on ${to.toISOString()}; re-sign with a current certificate, or check the signature at a time it was valid`,
      details: { subject: name(cert), notAfter: to.toISOString() },
    });
  }
}

const issuedBy = (child: X509Certificate, parent: X509Certificate): boolean =>
  child.checkIssued(parent) && child.verify(parent.publicKey);

/**
 * Builds a path from the bundle's leaf through its intermediates to one of the caller's roots,
 * checking every signature and every validity window at `now`. Returns the path, leaf first.
 */
export function verifyChain(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: Date,
): X509Certificate[] {
  const leaf = chain[0];
  if (!leaf)
    throw new VerificationError({
      code: 'CERTIFICATE_CHAIN_EMPTY',
      message: 'the bundle has no certificate',
    });
  const path = [leaf];
  const pool = chain.slice(1);
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    checkValidity(current, now);
    if (roots.some((r) => r.fingerprint256 === current.fingerprint256)) return path;
    const root = roots.find((r) => issuedBy(current, r));
    if (root) {
      checkValidity(root, now);
      path.push(root);
      return path;
    }
    const next = pool.find((c) => c.ca && !path.includes(c) && issuedBy(current, c));
    if (!next) break;
    path.push(next);
    current = next;
  }
  throw new VerificationError({
    code: 'CERTIFICATE_CHAIN_UNTRUSTED',
    message: `the signing certificate "${name(leaf)}" does not chain to any of the ${roots.length} trusted root certificate(s)`,
    details: { leaf: name(leaf) },
  });
}
