import { readdirSync, readFileSync } from 'node:fs';
import { sha256Hex } from '@modelseal/core';
import { createManifest, type Manifest, type ManifestFields } from '@modelseal/manifest';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import {
  manifestFromOmsStatement,
  OMS_PREDICATE_TYPE,
  omsStatement,
  parseStatement,
  type Statement,
  serializeStatement,
} from '../src/index.ts';

const V = `${SHARED_VECTORS}/model-transparency/`;
const payloadOf = (dir: string): Uint8Array => {
  const b = JSON.parse(readFileSync(`${V}${dir}/model.sig`, 'utf8'));
  return new Uint8Array(Buffer.from(b.dsseEnvelope.payload, 'base64'));
};
const vectorDirs = readdirSync(V).filter((d) => /^v\d/.test(d));

const manifest = (over: Partial<ManifestFields> = {}): Manifest =>
  createManifest({
    modelName: 'm',
    serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
    resources: [
      { name: 'a.bin', algorithm: 'sha256', digest: sha256Hex('a') },
      { name: 'dir/b.bin', algorithm: 'sha256', digest: sha256Hex('b') },
    ],
    ...over,
  });

/** Re-serializes a statement after editing its predicate; the subject digest is recomputed unless told not to. */
function edited(edit: (p: Record<string, unknown>) => void): Statement {
  const s = structuredClone(omsStatement(manifest())) as { predicate: Record<string, unknown> } & Statement;
  edit(s.predicate);
  return s;
}

describe('serializeStatement', () => {
  it.each(vectorDirs)('re-serializes the %s payload to identical bytes', (dir) => {
    const bytes = payloadOf(dir);
    expect(Buffer.from(serializeStatement(parseStatement(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });
  it('escapes non-ASCII like Python json.dumps(ensure_ascii=True)', () => {
    const s = parseStatement(
      '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"é😀","digest":{"sha256":"ab"}}],"predicateType":"x","predicate":{}}',
    );
    expect(new TextDecoder().decode(serializeStatement(s))).toContain('"name": "\\u00e9\\ud83d\\ude00"');
  });
});

describe('omsStatement', () => {
  it('builds the v1.1.0 vector statement from its resources (same fields, values and subject digest)', () => {
    const vector = parseStatement(payloadOf('v1.1.0-elliptic-key'));
    const signed = manifestFromOmsStatement(vector);
    const ours = omsStatement(signed);
    expect(ours).toEqual(vector);
    expect(ours.predicateType).toBe(OMS_PREDICATE_TYPE);
    // model_signing's predicate key order comes from a protobuf Struct (hash order) and a Python set,
    // so it differs between its own runs; ordering ours like the vector gives the vector's bytes.
    const reordered = JSON.parse(JSON.stringify(ours));
    reordered.predicate = JSON.parse(JSON.stringify(vector.predicate));
    expect(
      Buffer.from(serializeStatement(reordered)).equals(Buffer.from(payloadOf('v1.1.0-elliptic-key'))),
    ).toBe(true);
  });
  it('writes shard_size and the sharded algorithm for shards', () => {
    const m = manifest({
      serialization: {
        method: 'shards',
        hashType: 'sha256',
        allowSymlinks: false,
        ignorePaths: [],
        shardSize: 10,
      },
      resources: [
        { name: 'w:0:10', algorithm: 'sha256-sharded-10', digest: sha256Hex('1') },
        { name: 'w:10:15', algorithm: 'sha256-sharded-10', digest: sha256Hex('2') },
      ],
    });
    const s = omsStatement(m);
    expect((s.predicate.serialization as Record<string, unknown>).shard_size).toBe(10);
    expect(manifestFromOmsStatement(s)).toEqual(m);
  });
});

describe('manifestFromOmsStatement', () => {
  it.each(vectorDirs.filter((d) => !d.startsWith('v0.2')))('reads the %s statement', (dir) => {
    const m = manifestFromOmsStatement(parseStatement(payloadOf(dir)));
    expect(m.resources.length).toBeGreaterThan(0);
    expect(m.serialization.hashType).toBe('sha256');
  });
  it('reads the legacy v0.2 Digests/v0.1 statement', () => {
    const m = manifestFromOmsStatement(parseStatement(payloadOf('v0.2.0-certificate')));
    expect(m.resources.map((r) => r.name)).toEqual(['signme-1', 'signme-2']);
  });
  it('accepts shard_size written as the float 1000000000.0', () => {
    const text = new TextDecoder()
      .decode(
        serializeStatement(
          omsStatement(
            manifest({
              serialization: {
                method: 'shards',
                hashType: 'sha256',
                allowSymlinks: false,
                ignorePaths: [],
                shardSize: 1e9,
              },
              resources: [{ name: 'w:0:5', algorithm: 'sha256-sharded-1000000000', digest: sha256Hex('1') }],
            }),
          ),
        ),
      )
      .replace('"shard_size": 1000000000', '"shard_size": 1000000000.0');
    expect(text).toContain('1000000000.0');
    const m = manifestFromOmsStatement(parseStatement(text));
    expect(m.serialization.method === 'shards' && m.serialization.shardSize).toBe(1e9);
  });

  const setName = (name: string) =>
    edited((p) => {
      (p.resources as Record<string, unknown>[])[0]!.name = name;
    });
  it.each([
    ['../escape', 'RESOURCE_NAME_INVALID'],
    ['a/../../x', 'RESOURCE_NAME_INVALID'],
    ['/etc/passwd', 'RESOURCE_NAME_INVALID'],
    ['a\0b', 'RESOURCE_NAME_INVALID'],
    ['a//b', 'RESOURCE_NAME_INVALID'],
    ['a/./b', 'RESOURCE_NAME_INVALID'],
    ['dir/', 'RESOURCE_NAME_INVALID'],
    ['bad\uD800name', 'RESOURCE_NAME_INVALID'],
    ['', 'RESOURCE_NAME_INVALID'],
    ['dir/b.bin', 'RESOURCE_DUPLICATE'],
  ])('rejects resource name %j with %s', (name, code) => {
    expect(codeOf(() => manifestFromOmsStatement(setName(name)))).toBe(code);
  });
  // POSIX file names model_signing signs: a Windows drive or a backslash is just a character here
  it.each(['C:/x', 'a\\b', 'a:b.bin', 'x:0:10', 'dir/back\\slash.txt', '...', '.hidden'])(
    'accepts resource name %j',
    (name) => {
      const m = manifestFromOmsStatement(setName(name));
      expect(m.resources.map((r) => r.name)).toContain(name);
    },
  );
  it.each([
    [
      'bad hex',
      (p: Record<string, unknown>) => {
        (p.resources as Record<string, unknown>[])[0]!.digest = 'zz'.repeat(32);
      },
      'DIGEST_INVALID',
    ],
    [
      'short digest',
      (p: Record<string, unknown>) => {
        (p.resources as Record<string, unknown>[])[0]!.digest = 'ab';
      },
      'DIGEST_INVALID',
    ],
    [
      'unknown algorithm',
      (p: Record<string, unknown>) => {
        (p.resources as Record<string, unknown>[])[0]!.algorithm = 'md5';
      },
      'ALGORITHM_UNKNOWN',
    ],
    [
      'unknown hash type',
      (p: Record<string, unknown>) => {
        (p.serialization as Record<string, unknown>).hash_type = 'md5';
      },
      'HASH_TYPE_UNKNOWN',
    ],
    [
      'unknown method',
      (p: Record<string, unknown>) => {
        (p.serialization as Record<string, unknown>).method = 'tar';
      },
      'SERIALIZATION_METHOD_UNKNOWN',
    ],
    [
      'fractional shard size',
      (p: Record<string, unknown>) => {
        Object.assign(p.serialization as object, { method: 'shards', shard_size: 1.5 });
      },
      'SHARD_SIZE_INVALID',
    ],
    [
      'resources not a list',
      (p: Record<string, unknown>) => {
        p.resources = {};
      },
      'RESOURCES_INVALID',
    ],
    [
      'huge resource list',
      (p: Record<string, unknown>) => {
        p.resources = new Array(1_000_001).fill(0);
      },
      'RESOURCES_TOO_MANY',
    ],
    [
      'tampered digest',
      (p: Record<string, unknown>) => {
        (p.resources as Record<string, unknown>[])[0]!.digest = sha256Hex('evil');
      },
      'SUBJECT_DIGEST_MISMATCH',
    ],
    [
      'dropped resource',
      (p: Record<string, unknown>) => {
        (p.resources as unknown[]).pop();
      },
      'SUBJECT_DIGEST_MISMATCH',
    ],
  ])('rejects %s', (_what, edit, code) => {
    expect(codeOf(() => manifestFromOmsStatement(edited(edit)))).toBe(code);
  });
  it('rejects shard names whose bounds do not fit the shard size', () => {
    const s = omsStatement(
      manifest({
        serialization: {
          method: 'shards',
          hashType: 'sha256',
          allowSymlinks: false,
          ignorePaths: [],
          shardSize: 10,
        },
        resources: [{ name: 'w:0:10', algorithm: 'sha256-sharded-10', digest: sha256Hex('1') }],
      }),
    ) as Statement & { predicate: { resources: { name: string }[] } };
    for (const name of ['w:0:11', 'w:5:10', 'w:10:5', 'w:01:10', 'w']) {
      const c = structuredClone(s);
      c.predicate.resources[0]!.name = name;
      expect(
        codeOf(() => manifestFromOmsStatement(c)),
        name,
      ).toBe('RESOURCE_NAME_INVALID');
    }
  });
  it('rejects other predicate types', () => {
    const s = { ...omsStatement(manifest()), predicateType: 'https://slsa.dev/provenance/v1' };
    expect(codeOf(() => manifestFromOmsStatement(s))).toBe('PREDICATE_TYPE_UNSUPPORTED');
  });
});

describe('parseStatement', () => {
  const ok = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'x', digest: { sha256: 'ab' } }],
    predicateType: 't',
    predicate: {},
  };
  it.each([
    ['truncated JSON', '{"_type": "https://in-toto.io/Sta', 'JSON_MALFORMED'],
    ['empty', '', 'JSON_EMPTY'],
    ['array', '[]', 'STATEMENT_NOT_OBJECT'],
    [
      'wrong _type',
      JSON.stringify({ ...ok, _type: 'https://in-toto.io/Statement/v0.1' }),
      'STATEMENT_TYPE_UNSUPPORTED',
    ],
    ['empty subject', JSON.stringify({ ...ok, subject: [] }), 'STATEMENT_SUBJECT_MISSING'],
    [
      'subject without digest',
      JSON.stringify({ ...ok, subject: [{ name: 'x' }] }),
      'STATEMENT_SUBJECT_DIGEST_MISSING',
    ],
    [
      'numeric digest',
      JSON.stringify({ ...ok, subject: [{ digest: { sha256: 1 } }] }),
      'STATEMENT_SUBJECT_DIGEST_INVALID',
    ],
    [
      'no predicateType',
      JSON.stringify({ ...ok, predicateType: undefined }),
      'STATEMENT_PREDICATE_TYPE_MISSING',
    ],
    ['predicate array', JSON.stringify({ ...ok, predicate: [] }), 'STATEMENT_PREDICATE_INVALID'],
    ['deep nesting', `{"a":${'['.repeat(100)}${']'.repeat(100)}}`, 'JSON_TOO_DEEP'],
  ])('rejects %s', (_what, text, code) => {
    expect(codeOf(() => parseStatement(text))).toBe(code);
  });
  it('accepts a well-formed statement', () => {
    expect(parseStatement(JSON.stringify(ok)).predicateType).toBe('t');
  });
});
