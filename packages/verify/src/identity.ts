import { UsageError, VerificationError } from '@modelseal/core';
import { RE2JS } from 're2js';
import type { IdentityPolicy } from './types.ts';

/** A whole-string matcher: RE2 semantics, so matching is linear in the text whatever the pattern. */
export interface IdentityMatcher {
  test(text: string): boolean;
}

/** An identity policy checked and compiled once: anchored regexps for SAN and issuer. */
export interface CompiledIdentity {
  readonly identity: IdentityMatcher;
  readonly issuer: IdentityMatcher;
  /** what the user asked for, for messages */
  readonly describe: { readonly identity: string; readonly issuer: string };
}

/**
 * @sigstore/verify matches identities as UNANCHORED regexps, so `alice@example.com` would also
 * accept `mallory-alice@example.com.evil`: here exact values are compared as strings and a
 * pattern must match the whole text. Like cosign, keyless verification needs both who (identity) and by whom (issuer), and like
 * cosign (Go regexp) patterns have RE2 semantics: a policy's `(a+)+$` cannot backtrack on a SAN.
 */
export function compileIdentity(policy: IdentityPolicy | undefined): CompiledIdentity {
  const p = policy ?? {};
  const identity = pick(p.identity, p.identityRegexp, 'identity');
  const issuer = pick(p.issuer, p.issuerRegexp, 'oidc-issuer');
  return Object.freeze({
    identity: identity.re,
    issuer: issuer.re,
    describe: Object.freeze({ identity: identity.text, issuer: issuer.text }),
  });
}

function pick(
  exact: string | undefined,
  regexp: string | undefined,
  flag: 'identity' | 'oidc-issuer',
): { re: IdentityMatcher; text: string } {
  if (exact !== undefined && regexp !== undefined) {
    throw new UsageError({
      code: 'IDENTITY_CONFLICT',
      message: `give either an exact ${flag} or a ${flag} regexp, not both`,
      details: { field: flag },
    });
  }
  if (exact !== undefined && exact !== '') return { re: { test: (text) => text === exact }, text: exact };
  if (regexp !== undefined && regexp !== '') {
    try {
      const re = RE2JS.compile(regexp);
      return { re: { test: (text) => re.matches(text) }, text: `/${regexp}/` };
    } catch (e) {
      throw new UsageError({
        code: 'IDENTITY_REGEXP_INVALID',
        message: `the ${flag} regexp ${JSON.stringify(regexp)} is not a valid regular expression: ${(e as Error).message}`,
      });
    }
  }
  throw new UsageError({
    code: 'IDENTITY_REQUIRED',
    message:
      'verifying a Sigstore certificate needs the expected signer: an identity (exact or regexp) and an OIDC issuer (exact or regexp)',
    details: { missing: flag },
  });
}

/**
 * For certificates from a private CA (certificate-roots trust) identity and issuer are each
 * optional, but what a policy gives is binding: a policy naming an identity must never accept
 * another certificate from the same CA. Fulcio's issuer extension is what `issuer` matches.
 */
export function checkOptionalIdentity(
  policy: IdentityPolicy,
  signer: { identity?: string | undefined; issuer?: string | undefined },
): void {
  const identity = optional(policy.identity, policy.identityRegexp, 'identity');
  const issuer = optional(policy.issuer, policy.issuerRegexp, 'oidc-issuer');
  if (identity) checkField('IDENTITY_MISMATCH', 'identity', identity, signer.identity);
  if (issuer) checkField('ISSUER_MISMATCH', 'OIDC issuer', issuer, signer.issuer);
}

function optional(
  exact: string | undefined,
  regexp: string | undefined,
  flag: 'identity' | 'oidc-issuer',
): { re: IdentityMatcher; text: string } | undefined {
  if ((exact === undefined || exact === '') && (regexp === undefined || regexp === '')) return undefined;
  return pick(exact, regexp, flag);
}

/** Checks the signer's SAN and OIDC issuer against the compiled policy. */
export function checkIdentity(
  compiled: CompiledIdentity,
  signer: { identity?: string | undefined; issuer?: string | undefined },
): void {
  const d = compiled.describe;
  checkField('IDENTITY_MISMATCH', 'identity', { re: compiled.identity, text: d.identity }, signer.identity);
  checkField('ISSUER_MISMATCH', 'OIDC issuer', { re: compiled.issuer, text: d.issuer }, signer.issuer);
}

function checkField(
  code: 'IDENTITY_MISMATCH' | 'ISSUER_MISMATCH',
  what: string,
  expected: { re: IdentityMatcher; text: string },
  actual: string | undefined,
): void {
  if (actual !== undefined && expected.re.test(actual)) return;
  throw new VerificationError({
    code,
    message: `certificate ${what} ${JSON.stringify(actual ?? null)} does not match the expected ${expected.text}`,
    details: { expected: expected.text, actual: actual ?? null },
  });
}
