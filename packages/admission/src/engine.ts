/**
 * The engine's wiring to @modelseal/policy and @modelseal/verify. Trust material arrives parsed:
 * the edge loads the default trusted root once and the policy parser puts a root on every
 * keyless authority, so verification takes each authority's trust as it is.
 */
import { collectEvidence, evaluate, parsePolicy } from '@modelseal/policy';
import { verifyBundle } from '@modelseal/verify';
import type { Authority, ParseOptions, PolicyEngine, VerifyFn } from './contract.ts';

export function createEngine(options: ParseOptions): PolicyEngine {
  return Object.freeze({
    parsePolicy: (doc: unknown, source: string) => parsePolicy(doc, source, options),
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
