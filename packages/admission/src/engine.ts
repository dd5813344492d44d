/**
 * The webhook's wiring to @modelseal/policy, @modelseal/store and @modelseal/verify: the real
 * engine, a verifier that fills in the configured Sigstore trusted root, and the directory store.
 */
import { collectEvidence, evaluate, parsePolicy } from '@modelseal/policy';
import { directoryStore } from '@modelseal/store';
import { verifyBundle } from '@modelseal/verify';
import type { Authority, PolicyEngine, Store, VerifyFn } from './contract.ts';

export const realEngine: PolicyEngine = Object.freeze({ parsePolicy, collectEvidence, evaluate });

/**
 * A keyless authority without an inline trustedRoot uses the one the webhook was started with
 * (`--trusted-root`, else the vendored public-good root): resolved once, here, at the edge.
 */
export function realVerify(defaultTrustedRoot: () => unknown): VerifyFn {
  return (bundle: Uint8Array, authority: Authority) => {
    const trust =
      authority.trust.kind === 'sigstore' && authority.trust.trustedRoot === undefined
        ? { kind: 'sigstore' as const, trustedRoot: defaultTrustedRoot() }
        : authority.trust;
    return verifyBundle({ bundle, trust, ...(authority.identity ? { identity: authority.identity } : {}) });
  };
}

export function realDirectoryStore(root: string): Store {
  return directoryStore(root);
}
