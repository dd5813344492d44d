import { type Ctx, type FormatName, report } from './context.ts';
import { Findings } from './findings.ts';
import { analysePickle, type PickleResult } from './pickle/analyse.ts';
import { Cursor, type ReadAt } from './reader.ts';

/**
 * A file (or member) that holds pickles. One pickle followed by nothing is the normal case. The
 * legacy torch.save layout is five pickles (magic number, protocol version, system info, the object,
 * the storage keys) followed by raw storage bytes that torch reads without unpickling. Anything else
 * after STOP is trailing data, and further pickles in it are walked too, so that a payload hidden in a
 * later one is still named.
 */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001n;
const LEGACY_PICKLES = 5;
const MAX_EXTRA_PICKLES = 16;

export interface PickleFileOptions {
  /** torch's legacy layout is only plausible for a whole file, not inside a zip or after an npy header */
  readonly allowLegacy: boolean;
  readonly start?: number;
}

export function walkOne(
  ctx: Ctx,
  where: string | undefined,
  cur: Cursor,
  findings = ctx.findings,
): PickleResult {
  const res = analysePickle(cur, {
    profile: ctx.profile,
    findings,
    ...(where !== undefined ? { member: where } : {}),
    ...(ctx.pickleLimits ? { limits: ctx.pickleLimits } : {}),
  });
  for (const g of res.globals) ctx.globals.add(g);
  return res;
}

export function scanPickleStream(
  r: ReadAt,
  ctx: Ctx,
  where: string | undefined,
  opts: PickleFileOptions,
  first?: { readonly result: PickleResult; readonly cur: Cursor },
): FormatName {
  const cur = first?.cur ?? new Cursor(r, opts.start ?? 0);
  const res = first?.result ?? walkOne(ctx, where, cur);
  if (!res.complete || cur.pos === r.size) return 'pickle';
  const isMagic = res.top?.k === 'int' && res.top.v === LEGACY_MAGIC;
  if (opts.allowLegacy && isMagic) {
    const results = [res];
    for (let i = 1; i < LEGACY_PICKLES; i++) {
      const next = walkOne(ctx, where, cur);
      results.push(next);
      if (!next.complete) return 'pytorch-legacy';
    }
    const proto = results[1]?.top;
    if (proto?.k !== 'int' || proto.v !== LEGACY_PROTOCOL) {
      report(
        ctx,
        where,
        'PICKLE_BAD_ARGUMENT',
        'legacy torch file: the second pickle is not protocol version 1001',
      );
    }
    // what follows is raw storage data, read by torch as bytes
    return 'pytorch-legacy';
  }
  report(ctx, where, 'PICKLE_TRAILING_DATA', `${r.size - cur.pos} bytes after STOP`, { offset: cur.pos });
  for (let i = 0; i < MAX_EXTRA_PICKLES && cur.pos < r.size; i++) {
    if (r.read(cur.pos, 1)[0] !== 0x80) break;
    if (!walkOne(ctx, where, cur).complete) break;
  }
  return 'pickle';
}

/**
 * A protocol 0/1 pickle has no magic: it is text-like opcodes. The walk itself decides: a stream
 * that reaches STOP, or imports a well-formed dotted name before it breaks (pickle.load would have
 * imported it, running the module's code), is a pickle; anything else is left to the other identifiers.
 */
export function probeTextPickle(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName | null {
  const scratch = new Findings();
  const cur = new Cursor(r);
  const res = analysePickle(cur, {
    profile: ctx.profile,
    findings: scratch,
    ...(ctx.pickleLimits ? { limits: ctx.pickleLimits } : {}),
  });
  const stopped = res.complete || scratch.list.some((f) => f.code === 'PICKLE_STACK_LEFTOVER');
  if (!stopped && !res.globals.some((g) => DOTTED.test(g))) return null;
  for (const f of scratch.list) ctx.findings.add(where === undefined ? f : { ...f, member: where });
  for (const g of res.globals) ctx.globals.add(g);
  return scanPickleStream(r, ctx, where, { allowLegacy: true }, { result: res, cur });
}

const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
