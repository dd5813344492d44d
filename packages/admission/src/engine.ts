/**
 * The engine's wiring to @modelseal/policy and @modelseal/verify. Trust material arrives parsed:
 * the edge loads the default trusted root once and the policy parser puts a root on every
 * keyless authority, so verification takes each authority's trust as it is.
 */
import { collectEvidence, evaluate, parsePolicy } from '@modelseal/policy';
import { prepareTrust, verifyBundle } from '@modelseal/verify';
import type { Authority, ParseOptions, PolicyEngine, VerifyFn } from './contract.ts';

export function createEngine(options: ParseOptions): PolicyEngine {
  return Object.freeze({
    parsePolicy: (doc: unknown, source: string) => {
      const policy = parsePolicy(doc, source, options);
      // trust material is built as the policy arrives, not on the first request that needs it
      for (const a of policy.authorities) {
        try {
          prepareTrust(a.trust, a.identity);
        } catch {
          // a bad key or root is reported, with its code, by the verification that needs it
        }
      }
      return policy;
    },
    collectEvidence,
    evaluate,
  });
}

export const realVerify: VerifyFn = (bundle: Uint8Array, authority: Authority) =>
  verifyBundle({
    bundle,
    trust: authority.trust,
    ...(authority.identity ? { identity: authority.identity } : {}),
  });
