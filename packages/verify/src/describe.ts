import type { SignerInfo } from './types.ts';

/** One human spelling of a signer for verdicts, deny messages and audit annotations. */
export function describeSigner(s: SignerInfo): string {
  switch (s.kind) {
    case 'key':
      return `key:${s.keyId}`;
    case 'certificate':
      // Fulcio certificates have an empty subject: the identity lives in the SAN.
      return s.identity
        ? `${s.identity}${s.issuer ? ` (issuer ${s.issuer})` : ''}`
        : `certificate "${s.subject}"`;
    default:
      return assertNever(s);
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled signer kind ${JSON.stringify(x)}`);
}
