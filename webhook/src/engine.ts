/**
 * The seam to @modelseal/policy, @modelseal/store and @modelseal/verify. Looked up at run time
 * so the webhook builds while those packages are still landing on main; once they export the
 * contract's names this file shrinks to three imports.
 */
import { InternalError } from '@modelseal/core';
import * as policyPkg from '@modelseal/policy';
import * as storePkg from '@modelseal/store';
import * as verifyPkg from '@modelseal/verify';
import type { Authority, PolicyEngine, Store, VerifyFn } from './contract.ts';

function need<T>(pkg: unknown, pkgName: string, name: string): T {
  const value = (pkg as Record<string, unknown>)[name];
  if (typeof value !== 'function') {
    throw new InternalError({
      code: 'ENGINE_UNAVAILABLE',
      message: `${pkgName} does not export ${name}() in this build; the webhook cannot verify anything without it`,
    });
  }
  return value as T;
}

export function realEngine(): PolicyEngine {
  return {
    parsePolicy: need(policyPkg, '@modelseal/policy', 'parsePolicy'),
    collectEvidence: need(policyPkg, '@modelseal/policy', 'collectEvidence'),
    evaluate: need(policyPkg, '@modelseal/policy', 'evaluate'),
  };
}

type VerifyBundle = (input: {
  bundle: Uint8Array;
  trust: unknown;
  identity?: unknown;
}) => ReturnType<VerifyFn>;

export function realVerify(): VerifyFn {
  const verifyBundle = need<VerifyBundle>(verifyPkg, '@modelseal/verify', 'verifyBundle');
  return (bundle: Uint8Array, authority: Authority) => {
    const a = authority as Authority & { trust?: unknown; identity?: unknown };
    return verifyBundle({ bundle, trust: a.trust, ...(a.identity ? { identity: a.identity } : {}) });
  };
}

export function realDirectoryStore(root: string): Store {
  return need<(root: string) => Store>(storePkg, '@modelseal/store', 'directoryStore')(root);
}
