import { sha256Hex } from '@modelseal/core';
import { type AllowEntry, ML_EXTRA, ONNX_ML_DOMAINS, ONNX_STANDARD_DOMAINS } from './allowlist-ml.ts';
import { BLOCKED_MODULES, WEIGHTS_ONLY_GLOBALS } from './allowlist-weights-only.ts';
import { PURE_OPS } from './formats/savedmodel-ops.ts';

/**
 * A profile is everything that decides a verdict: the exact globals a pickle may import or call and
 * what to do with formats that cannot be analysed fully. Its digest goes into scan attestations, so
 * a policy can demand "scanned under this profile".
 */
export interface Profile {
  readonly name: string;
  readonly version: number;
  /** exact `module.qualname`, after Python 2 module renames (`__builtin__` -> `builtins`) */
  readonly globals: ReadonlySet<string>;
  readonly justifications: ReadonlyMap<string, string>;
  readonly onnxDomains: ReadonlySet<string>;
  /** TensorFlow ops a SavedModel graph may use (formats/savedmodel-ops.ts) */
  readonly tfOps: ReadonlySet<string>;
}

export type ProfileName = 'weights-only' | 'ml';
export const PROFILE_NAMES: readonly ProfileName[] = ['weights-only', 'ml'];

function build(name: string, extra: readonly AllowEntry[], onnx: readonly AllowEntry[]): Profile {
  const globals = new Set(WEIGHTS_ONLY_GLOBALS);
  const justifications = new Map<string, string>();
  for (const e of extra) {
    const module = e.global.slice(0, e.global.lastIndexOf('.'));
    if (BLOCKED_MODULES.some((m) => module === m || module.startsWith(`${m}.`))) {
      throw new Error(`profile ${name}: ${e.global} is in a blocked module`);
    }
    if (e.why.trim().length < 20) throw new Error(`profile ${name}: ${e.global} needs a justification`);
    globals.add(e.global);
    justifications.set(e.global, e.why);
  }
  return Object.freeze({
    name,
    // 2: HDF5 is analysed in every profile (1 accepted a .keras weights file unread, in ml only)
    // 3: TF SavedModels are analysed and can pass (2 failed every one as not analysed)
    version: 3,
    globals,
    justifications,
    onnxDomains: new Set([...ONNX_STANDARD_DOMAINS, ...onnx.map((d) => d.global)]),
    tfOps: PURE_OPS,
  });
}

export const WEIGHTS_ONLY_PROFILE: Profile = build('weights-only', [], []);
export const ML_PROFILE: Profile = build('ml', ML_EXTRA, ONNX_ML_DOMAINS);

export function getProfile(name: ProfileName): Profile {
  switch (name) {
    case 'weights-only':
      return WEIGHTS_ONLY_PROFILE;
    case 'ml':
      return ML_PROFILE;
  }
}

/** The canonical form of what decides: sorted lists, fixed key order. */
export function profileDocument(p: Profile): Record<string, unknown> {
  return {
    name: p.name,
    version: p.version,
    globals: [...p.globals].sort(),
    onnxDomains: [...p.onnxDomains].sort(),
    tfOps: [...p.tfOps].sort(),
  };
}

export function profileDigest(p: Profile): string {
  return sha256Hex(JSON.stringify(profileDocument(p)));
}

const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

/** How Python 3 resolves a protocol 0-2 name (pickle's fix_imports), for matching only. */
export function canonicalGlobal(module: string, name: string): string {
  return `${PY2_MODULES[module] ?? module}.${name}`;
}

export function isBlockedModule(module: string): boolean {
  const m = PY2_MODULES[module] ?? module;
  return BLOCKED_MODULES.some((b) => m === b || m.startsWith(`${b}.`));
}
