/**
 * Shell-style globs with `*` only (namespace and volume names never contain other metacharacters),
 * matched in O(|pattern| + |value|). Policies and pods both supply the strings, so a regexp
 * translation (`.*a.*a.*…b`) would let either side make one match backtrack for seconds.
 *
 * With `*` as the only wildcard, the greedy leftmost match of each literal segment between stars
 * is correct: the first segment is a prefix, the last a suffix, and each middle segment is found
 * (KMP) at its leftmost position after the previous one. The text is scanned once, left to right.
 */

/** Counts character comparisons; tests use it to bound the work, not the wall time. */
export interface GlobWork {
  steps: number;
}

export function globMatch(pattern: string, value: string, work: GlobWork = { steps: 0 }): boolean {
  const segments = pattern.split('*');
  if (segments.length === 1) {
    work.steps += Math.min(pattern.length, value.length) + 1;
    return pattern === value;
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (value.length < first.length + last.length) return false;
  work.steps += first.length + last.length;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    if (seg === '') continue;
    const at = indexOfKmp(value, seg, pos, end, work);
    if (at < 0) return false;
    pos = at + seg.length;
  }
  return true;
}

/** Leftmost index of `needle` inside `text[from, to)`, or -1; at most 2(|needle| + to - from) steps. */
function indexOfKmp(text: string, needle: string, from: number, to: number, work: GlobWork): number {
  if (to - from < needle.length) return -1;
  // failure[i]: length of the longest proper border of needle[0..i]
  const failure = new Int32Array(needle.length);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) {
      k = failure[k - 1]!;
      work.steps++;
    }
    work.steps++;
    if (needle[i] === needle[k]) k++;
    failure[i] = k;
  }
  for (let i = from, k = 0; i < to; i++) {
    while (k > 0 && text[i] !== needle[k]) {
      k = failure[k - 1]!;
      work.steps++;
    }
    work.steps++;
    if (text[i] === needle[k]) k++;
    if (k === needle.length) return i - needle.length + 1;
  }
  return -1;
}
