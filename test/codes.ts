import { isModelsealError } from '@modelseal/core';

/**
 * The one way tests read the code of an error: the code when it is one of ours, `none` when
 * nothing was thrown and `thrown:<name>` for anything else, so an assertion on a code never
 * passes by accident. kindCodeOf also pins the kind, which alone decides the CLI's exit code.
 */
export function codeOf(f: () => unknown): string {
  return describe(attempt(f), false);
}

export function kindCodeOf(f: () => unknown): string {
  return describe(attempt(f), true);
}

/** codeOf for a promise or an async function. */
export async function codeOfAsync(p: Promise<unknown> | (() => unknown)): Promise<string> {
  return describe(await attemptAsync(p), false);
}

export async function kindCodeOfAsync(p: Promise<unknown> | (() => unknown)): Promise<string> {
  return describe(await attemptAsync(p), true);
}

const NOTHING = Symbol('nothing thrown');

function attempt(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return NOTHING;
}

async function attemptAsync(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  return NOTHING;
}

function describe(e: unknown, withKind: boolean): string {
  if (e === NOTHING) return 'none';
  if (isModelsealError(e)) return withKind ? `${e.kind}:${e.code}` : e.code;
  return `thrown:${e instanceof Error ? e.name : typeof e}`;
}
