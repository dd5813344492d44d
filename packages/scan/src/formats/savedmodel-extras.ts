import { Cursor, type ReadAt, Truncated } from '../reader.ts';
import { lengthOf, ProtoError, skipValue, tag, utf8 } from './protobuf.ts';

/**
 * The small protobuf files next to saved_model.pb. `fingerprint.pb` (fingerprint.proto:
 * FingerprintDef, five uint64 hashes, a VersionDef and a UUID string) is data. `keras_metadata.pb`
 * (tf.keras's saved_metadata.proto: SavedMetadata nodes = 1, each SavedObject node_path = 3,
 * identifier = 4, metadata = 5) holds each layer's Keras JSON config, which tf.keras deserializes
 * when it loads the model: a Lambda layer there is Python bytecode.
 */
export function isFingerprint(r: ReadAt): boolean {
  // a fingerprint is a few dozen bytes; field numbers alone would also fit an ONNX model whose
  // producer fields are (wrongly) varints, and ONNX loaders skip such fields and load its graph
  if (r.size > 1024) return false;
  const cur = new Cursor(r);
  const seen = new Set<number>();
  try {
    while (cur.remaining > 0) {
      const t = tag(cur);
      seen.add(t.num);
      if (t.num >= 1 && t.num <= 5 && t.wire === 0) skipValue(cur, 0);
      else if ((t.num === 6 || t.num === 7) && t.wire === 2) {
        const n = lengthOf(cur);
        const v = cur.bytes(n);
        // VersionDef (producer, min_consumer: varints); the UUID: digits, letters, dashes
        if (n > 64 || (t.num === 7 && !/^[0-9A-Za-z-]*$/.test(utf8.decode(v)))) return false;
      } else return false;
    }
  } catch (e) {
    if (e instanceof ProtoError || e instanceof Truncated) return false;
    throw e;
  }
  return [2, 3, 4].some((n) => seen.has(n));
}

export interface KerasMetadataNode {
  readonly path: string;
  readonly identifier: string;
  readonly json: string;
}

const MAX_JSON = 64 << 20;

/** The nodes of a keras_metadata.pb; null when the file is not shaped like one. */
export function readKerasMetadata(r: ReadAt): KerasMetadataNode[] | null {
  const cur = new Cursor(r);
  const nodes: KerasMetadataNode[] = [];
  try {
    while (cur.remaining > 0) {
      const t = tag(cur);
      if (t.num !== 1 || t.wire !== 2) return null;
      const len = lengthOf(cur);
      const end = cur.pos + len;
      const node = { path: '', identifier: '', json: '' };
      let keras = false;
      while (cur.pos < end) {
        const f = tag(cur);
        if (f.num === 1 || f.num > 6) return null; // SentencePiece pieces start with field 1
        if (f.wire === 2 && f.num >= 3 && f.num <= 5) {
          const n = lengthOf(cur);
          if (n > MAX_JSON) return null;
          const s = utf8.decode(cur.bytes(n));
          if (f.num === 3) node.path = s;
          else if (f.num === 4) node.identifier = s;
          else node.json = s;
          keras = true;
        } else skipValue(cur, f.wire);
      }
      if (cur.pos !== end || !keras) return null;
      nodes.push(node);
    }
  } catch (e) {
    if (e instanceof ProtoError || e instanceof Truncated) return null;
    throw e;
  }
  return nodes.length > 0 ? nodes : null;
}
