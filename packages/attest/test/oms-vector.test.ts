/**
 * Byte compatibility with model_signing 1.1: hash the vector model from disk, build our statement,
 * and compare it with the payload model_signing signed for that model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashModel } from '@modelseal/hashing';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { omsStatement, parseStatement, type Statement, serializeStatement } from '../src/index.ts';

const V = `${SHARED_VECTORS}/model-transparency`;

/** Reorders `value`'s object keys (recursively) and arrays of strings like `template`. */
function orderLike(value: unknown, template: unknown): unknown {
  if (Array.isArray(value) && Array.isArray(template)) {
    if (value.every((v) => typeof v === 'string'))
      return [...(template as string[])].filter((t) => value.includes(t));
    return value.map((v, i) => orderLike(v, template[i]));
  }
  if (value && template && typeof value === 'object' && typeof template === 'object') {
    const t = template as Record<string, unknown>;
    const v = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(t)
        .filter((k) => k in v)
        .map((k) => [k, orderLike(v[k], t[k])]),
    );
  }
  return value;
}

describe.each(['v1.1.0-elliptic-key', 'v1.1.0-certificate'])('%s', (dir) => {
  const bundle = JSON.parse(readFileSync(join(V, dir, 'model.sig'), 'utf8'));
  const payload = new Uint8Array(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
  const vector = parseStatement(payload);

  it('our statement for the hashed model equals the signed one, and serializes to its exact bytes', async () => {
    const manifest = await hashModel(join(V, dir), {
      serialization: {
        method: 'files',
        hashType: 'sha256',
        allowSymlinks: false,
        ignorePaths: ['ignore-me'],
      },
      extraIgnore: [join(V, dir, 'model.sig')],
    });
    const ours = omsStatement(manifest);
    // Same subject, predicate type, resources and parameters (ignore_paths as a set: model_signing
    // writes a Python set, in hash order).
    const { predicate: p, ...rest } = ours;
    const { predicate: vp, ...vrest } = vector;
    expect(rest).toEqual(vrest);
    expect(p.resources).toEqual(vp.resources);
    const s = p.serialization as Record<string, unknown>;
    const vs = vp.serialization as Record<string, unknown>;
    expect({ ...s, ignore_paths: [...(s.ignore_paths as string[])].sort() }).toEqual({
      ...vs,
      ignore_paths: [...(vs.ignore_paths as string[])].sort(),
    });
    // model_signing's predicate key order comes from a protobuf Struct and differs between its own
    // runs (compare the two v1.1.0 vectors); in that order our bytes are its bytes.
    const reordered = orderLike(ours, vector) as Statement;
    expect(Buffer.from(serializeStatement(reordered)).toString()).toBe(Buffer.from(payload).toString());
  });
});
