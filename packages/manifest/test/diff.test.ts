import { describe, expect, it } from 'vitest';
import { diffManifests, type ManifestFields, type Resource, type Serialization } from '../src/index.ts';

const ser: Serialization = {
  method: 'shards',
  hashType: 'sha256',
  allowSymlinks: false,
  ignorePaths: [],
  shardSize: 10,
};
const d = (c: string) => c.repeat(64);
const m = (resources: Resource[], serialization: Serialization = ser): ManifestFields => ({
  modelName: 'x',
  serialization,
  resources,
});
const r = (name: string, digest: string, algorithm = 'sha256-sharded-10'): Resource => ({
  name,
  algorithm,
  digest,
});

describe('diffManifests', () => {
  it('reports nothing for identical manifests', () => {
    const a = m([r('a:0:10', d('1')), r('a:10:15', d('2'))]);
    expect(diffManifests(a, a)).toEqual({ changed: [], missing: [], extra: [], parameters: [] });
  });

  it('names a sharded file once however many shards differ', () => {
    const signed = m([r('a:0:10', d('1')), r('a:10:20', d('2')), r('b:0:3', d('3'))]);
    const actual = m([r('a:0:10', d('9')), r('a:10:20', d('8')), r('b:0:3', d('3'))]);
    expect(diffManifests(signed, actual).changed).toEqual(['a']);
  });

  it('a file whose size changed has different shard names: changed, not missing + extra', () => {
    const signed = m([r('a:0:10', d('1')), r('a:10:20', d('2'))]);
    const actual = m([r('a:0:10', d('1')), r('a:10:12', d('2'))]);
    expect(diffManifests(signed, actual)).toEqual({ changed: ['a'], missing: [], extra: [], parameters: [] });
  });

  it('reports missing and extra files in canonical order', () => {
    const signed = m([r('z:0:1', d('1')), r('dir/y:0:1', d('2')), r('keep:0:1', d('3'))]);
    const actual = m([r('keep:0:1', d('3')), r('new.json:0:1', d('4')), r('new/x:0:1', d('5'))]);
    expect(diffManifests(signed, actual)).toEqual({
      changed: [],
      missing: ['dir/y', 'z'],
      extra: ['new/x', 'new.json'],
      parameters: [],
    });
  });

  it('compares files-mode names literally and treats uppercase hex as the same digest', () => {
    const f: Serialization = { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] };
    const signed = m([r('x:1:2', d('A'), 'sha256')], f);
    const actual = m([r('x:1:2', d('a'), 'sha256')], f);
    expect(diffManifests(signed, actual).changed).toEqual([]);
  });

  it('reports differing parameters', () => {
    const f: Serialization = { method: 'files', hashType: 'blake2b', allowSymlinks: true, ignorePaths: [] };
    expect(diffManifests(m([]), m([], f)).parameters).toEqual(['method', 'hashType', 'allowSymlinks']);
    expect(diffManifests(m([]), m([], { ...ser, shardSize: 20 })).parameters).toEqual(['shardSize']);
  });

  it('a different algorithm with the same digest bytes is a change', () => {
    const signed = m([r('a:0:1', d('1'))]);
    const actual = m([r('a:0:1', d('1'), 'blake2b-sharded-10')]);
    expect(diffManifests(signed, actual).changed).toEqual(['a']);
  });
});
