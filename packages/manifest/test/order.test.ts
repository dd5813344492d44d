import { describe, expect, it } from 'vitest';
import { compareResourceNames, parseShardName } from '../src/index.ts';

const sorted = (names: string[], method?: 'files' | 'shards') =>
  [...names].sort((a, b) => compareResourceNames(a, b, method));

describe('compareResourceNames', () => {
  it('compares path components, so a directory sorts before a sibling with a longer name', () => {
    expect(sorted(['tokenizer.json', 'tokenizer/vocab.txt'], 'files')).toEqual([
      'tokenizer/vocab.txt',
      'tokenizer.json',
    ]);
    expect(compareResourceNames('tokenizer/vocab.txt', 'tokenizer.json')).toBeLessThan(0);
    expect(sorted(['a.b', 'a/b', 'a-b', 'a'], 'files')).toEqual(['a', 'a/b', 'a-b', 'a.b']);
  });

  it('compares shard offsets numerically, not as text', () => {
    expect(sorted(['w:120000:150000', 'w:90000:120000', 'w:0:30000'], 'shards')).toEqual([
      'w:0:30000',
      'w:90000:120000',
      'w:120000:150000',
    ]);
    expect(sorted(['b:0:10', 'a/x:10:20', 'a/x:0:10', 'a.bin:0:5'], 'shards')).toEqual([
      'a/x:0:10',
      'a/x:10:20',
      'a.bin:0:5',
      'b:0:10',
    ]);
  });

  it('orders by code point like Python, not by UTF-16 code unit', () => {
    // U+1F600 (surrogate pair in UTF-16) is above U+FF5E in code points, below it in code units.
    expect(sorted(['\u{1F600}', '\uFF5E'], 'files')).toEqual(['\uFF5E', '\u{1F600}']);
    expect(sorted(['é', 'z', 'Z', 'a'], 'files')).toEqual(['Z', 'a', 'z', 'é']);
  });

  it('in files mode a colon is just a character', () => {
    expect(sorted(['x:1:2', 'x:10:20'], 'files')).toEqual(['x:10:20', 'x:1:2']);
    expect(sorted(['x:1:2', 'x:10:20'], 'shards')).toEqual(['x:1:2', 'x:10:20']);
  });

  it('is a total order on equal names and prefixes', () => {
    expect(compareResourceNames('a/b', 'a/b')).toBe(0);
    expect(compareResourceNames('a', 'a/b')).toBeLessThan(0);
    expect(compareResourceNames('a/b', 'a')).toBeGreaterThan(0);
  });
});

describe('parseShardName', () => {
  it('splits path:start:end from the right', () => {
    expect(parseShardName('dir/a:b.bin:0:10')).toEqual({ path: 'dir/a:b.bin', start: 0, end: 10 });
    expect(parseShardName('.:0:9')).toEqual({ path: '.', start: 0, end: 9 });
  });
  it('rejects malformed suffixes', () => {
    for (const bad of ['a', 'a:1', 'a:-1:2', 'a:01:2', 'a:1:2x', 'a:1.5:2', 'a:99999999999999999999:1']) {
      expect(parseShardName(bad)).toBeUndefined();
    }
  });
});

describe('sortByResourceName', () => {
  it('agrees with compareResourceNames on a mixed list', async () => {
    const { sortByResourceName } = await import('../src/order.ts');
    const names = [
      'w:120000:150000',
      'tokenizer.json:0:1',
      'w:90000:120000',
      'tokenizer/vocab.txt:0:4',
      '\u{1F600}:0:1',
      '\uFF5E:0:1',
      'a/b/c:0:1',
      'a/b:0:1',
    ];
    const viaCompare = [...names].sort((a, b) => compareResourceNames(a, b, 'shards'));
    expect(
      sortByResourceName(
        names.map((name) => ({ name })),
        'shards',
      ).map((x) => x.name),
    ).toEqual(viaCompare);
    expect(viaCompare.slice(0, 4)).toEqual([
      'a/b:0:1',
      'a/b/c:0:1',
      'tokenizer/vocab.txt:0:4',
      'tokenizer.json:0:1',
    ]);
    const files = ['x:10:20', 'x:1:2', 'b', 'a/z'];
    expect(
      sortByResourceName(
        files.map((name) => ({ name })),
        'files',
      ).map((x) => x.name),
    ).toEqual(['a/z', 'b', 'x:10:20', 'x:1:2']);
  });

  it('files: the fast path agrees with comparePaths on random names, with and without astral characters', async () => {
    const { sortByResourceName } = await import('../src/order.ts');
    // deterministic LCG: the same names every run
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = ['a', 'b', '.', '-', '/', ' ', '~', '\u00e9', '\uFF5E', '\uE000', '0', '9'];
    const randomName = (extra: string[]) => {
      const chars = [...alphabet, ...extra];
      const parts: string[] = [];
      for (let p = 0; p < 1 + rand(3); p++) {
        let part = '';
        for (let c = 0; c < 1 + rand(4); c++) part += chars[rand(chars.length)]!.replace('/', 'a');
        parts.push(part);
      }
      return parts.join('/');
    };
    for (const extra of [[], ['\u{1F600}']]) {
      const names = [...new Set(Array.from({ length: 400 }, () => randomName(extra)))];
      const expected = [...names].sort((a, b) => compareResourceNames(a, b, 'files'));
      const got = sortByResourceName(
        names.map((name) => ({ name })),
        'files',
      ).map((x) => x.name);
      expect(got).toEqual(expected);
      expect(got).not.toEqual(names);
    }
  });
});
