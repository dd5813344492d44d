import type { X509Certificate as NodeCertificate } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';

const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

/**
 * The SAN and OIDC issuer of a certificate, read as @sigstore/verify reads them for keyless
 * bundles, so a policy's identity means the same whichever CA issued the certificate.
 */
export function identityFields(leaf: NodeCertificate): { san?: string; oidcIssuer?: string } {
  const cert = X509Certificate.parse(leaf.raw);
  const v2 = cert.extension(OID_ISSUER_V2);
  const issuer = v2
    ? v2.valueObj.subs?.[0]?.value.toString('utf8')
    : cert.extension(OID_ISSUER_V1)?.value.toString('utf8');
  const san = cert.subjectAltName;
  return { ...(san !== undefined ? { san } : {}), ...(issuer !== undefined ? { oidcIssuer: issuer } : {}) };
}
