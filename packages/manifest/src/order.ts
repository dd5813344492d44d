/**
 * Canonical OMS resource order, as model_signing sorts its manifest keys: a file name is a
 * PurePosixPath (compared component by component, by code point), a shard is (path, start, end)
 * with the offsets compared as numbers.
 */

export interface ShardName {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

const SHARD_SUFFIX = /:(0|[1-9]\d*):(0|[1-9]\d*)$/;

/** Splits `path:start:end`; undefined when the name has no numeric shard suffix. */
export function parseShardName(name: string): ShardName | undefined {
  const m = SHARD_SUFFIX.exec(name);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return undefined;
  return { path: name.slice(0, m.index), start, end };
}

export const shardName = (path: string, start: number, end: number): string => `${path}:${start}:${end}`;

/**
 * JS `<` compares UTF-16 code units; Python compares code points. They disagree only when one
 * side is a surrogate (astral character) and the other a BMP character at U+E000 or above.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Component-wise path comparison: `tokenizer/vocab.txt` sorts before `tokenizer.json`. */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = compareCodePoints(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/**
 * Orders two resource names. With method `files` names are plain paths (a file may be called
 * `a:1:2`); with `shards` (or unspecified) a numeric `:start:end` suffix is compared numerically.
 */
export function compareResourceNames(a: string, b: string, method?: 'files' | 'shards'): number {
  if (method === 'files') return comparePaths(a, b);
  const sa = parseShardName(a);
  const sb = parseShardName(b);
  if (!sa || !sb) return comparePaths(a, b);
  return comparePaths(sa.path, sb.path) || sa.start - sb.start || sa.end - sb.end;
}

/** The file a resource belongs to: the name itself, or the path part of a shard. */
export function resourceFile(name: string, method: 'files' | 'shards'): string {
  if (method === 'files') return name;
  return parseShardName(name)?.path ?? name;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Sorts into canonical order, splitting each name once instead of on every comparison. */
export function sortByResourceName<T extends { readonly name: string }>(
  items: T[],
  method: 'files' | 'shards',
): T[] {
  if (method === 'files') {
    const fast = sortPlainPaths(items);
    if (fast) return fast;
  }
  const keyed = items.map((item) => {
    const shard = method === 'shards' ? parseShardName(item.name) : undefined;
    return {
      item,
      parts: (shard?.path ?? item.name).split('/'),
      start: shard?.start ?? 0,
      end: shard?.end ?? 0,
    };
  });
  keyed.sort((a, b) => {
    const n = Math.min(a.parts.length, b.parts.length);
    for (let i = 0; i < n; i++) {
      const c = compareCodePoints(a.parts[i]!, b.parts[i]!);
      if (c !== 0) return c;
    }
    return a.parts.length - b.parts.length || a.start - b.start || a.end - b.end;
  });
  return keyed.map((k) => k.item);
}

/**
 * With '/' mapped to NUL (below every character a name can hold), plain string order is
 * component-wise order; without surrogates, UTF-16 order is code point order. Then the native
 * comparison serves (20k names: ~25 ms -> a few ms). Undefined when a name has a surrogate.
 */
function sortPlainPaths<T extends { readonly name: string }>(items: readonly T[]): T[] | undefined {
  const keyed: { key: string; item: T }[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (SURROGATE.test(item.name)) return undefined;
    keyed[i] = { key: item.name.replaceAll('/', '\0'), item };
  }
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}
