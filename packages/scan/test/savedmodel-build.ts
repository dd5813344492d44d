/**
 * SavedModel protobufs written from TensorFlow's .proto files (saved_model, meta_graph, graph,
 * function, node_def, attr_value, saved_object_graph), independently of the code under test.
 */
import { cat, pb } from './builders.ts';

export type Attr = Uint8Array;
/** AttrValue s = 2 */
export const sAttr = (s: string): Attr => pb.bytes(2, s);
/** AttrValue func = 10 (NameAttrList name = 1, attr = 2) */
export const funcAttr = (name: string, inner: Record<string, Attr> = {}): Attr =>
  pb.bytes(10, cat(pb.bytes(1, name), ...Object.entries(inner).map(([k, v]) => pb.bytes(2, entry(k, v)))));
/** AttrValue tensor = 8 with string_val = 8 */
export const stringTensor = (s: string): Attr => pb.bytes(8, cat(pb.int(1, 7), pb.bytes(8, s)));

const entry = (k: string, v: Uint8Array) => cat(pb.bytes(1, k), pb.bytes(2, v));

/** NodeDef: name = 1, op = 2, input = 3, attr = 5 */
export function node(
  name: string,
  op: string,
  inputs: string[] = [],
  attrs: Record<string, Attr> = {},
): Uint8Array {
  return cat(
    pb.bytes(1, name),
    pb.bytes(2, op),
    ...inputs.map((i) => pb.bytes(3, i)),
    ...Object.entries(attrs).map(([k, v]) => pb.bytes(5, entry(k, v))),
  );
}

export const constNode = (name: string, value: string) =>
  node(name, 'Const', [], { value: stringTensor(value) });

/** FunctionDef: signature = 1 (OpDef name = 1, input_arg = 2 (ArgDef name = 1)), node_def = 3 */
export function fn(name: string, args: string[], nodes: Uint8Array[]): Uint8Array {
  const sig = cat(pb.bytes(1, name), ...args.map((a) => pb.bytes(2, pb.bytes(1, a))));
  return cat(pb.bytes(1, sig), ...nodes.map((n) => pb.bytes(3, n)));
}

export interface MetaGraphParts {
  nodes?: Uint8Array[];
  functions?: Uint8Array[];
  saverFilename?: string;
  assets?: string[];
  /** SavedObject bare_concrete_function = 8 (concrete_function_name = 1) */
  entryFunctions?: string[];
  /** SavedObject user_object = 4 (identifier = 1, metadata = 3) */
  userMetadata?: { identifier: string; json: string }[];
  /** signature_def = 5: SignatureDef inputs = 1 -> TensorInfo name = 1 */
  signatureInputs?: string[];
}

export function metaGraph(p: MetaGraphParts): Uint8Array {
  const library = cat(...(p.functions ?? []).map((f) => pb.bytes(1, f)));
  const graph = cat(...(p.nodes ?? []).map((n) => pb.bytes(1, n)), pb.bytes(2, library));
  const objects = cat(
    ...(p.entryFunctions ?? []).map((f) => pb.bytes(1, pb.bytes(8, pb.bytes(1, f)))),
    ...(p.userMetadata ?? []).map((u) =>
      pb.bytes(1, pb.bytes(4, cat(pb.bytes(1, u.identifier), pb.bytes(3, u.json)))),
    ),
  );
  const sigs = (p.signatureInputs ?? []).map((t) =>
    pb.bytes(5, entry('serving_default', pb.bytes(1, entry('x', pb.bytes(1, t))))),
  );
  return cat(
    pb.bytes(2, graph),
    ...(p.saverFilename !== undefined ? [pb.bytes(3, pb.bytes(1, p.saverFilename))] : []),
    ...sigs,
    ...(p.assets ?? []).map((a) => pb.bytes(6, pb.bytes(2, a))),
    pb.bytes(7, objects),
  );
}

/** SavedModel: saved_model_schema_version = 1, meta_graphs = 2 */
export const savedModel = (...graphs: MetaGraphParts[]): Uint8Array =>
  cat(pb.int(1, 1), ...graphs.map((g) => pb.bytes(2, metaGraph(g))));

/** TF2's save and restore functions, as tf.saved_model.save writes them (trimmed to the path plumbing) */
export const saverFunctions = [
  fn(
    '__inference__traced_save_1',
    ['file_prefix', 'v'],
    [
      constNode('Const', '_temp/part'),
      node('StringJoin', 'StringJoin', ['file_prefix', 'Const:output:0']),
      node('ShardedFilename', 'ShardedFilename', ['StringJoin:output:0', 'shard:output:0', 'num:output:0']),
      node('SaveV2', 'SaveV2', ['ShardedFilename:filename:0', 'names:output:0', 'slices:output:0', 'v']),
      node('Pack', 'Pack', ['ShardedFilename:filename:0', '^SaveV2']),
      node('MergeV2Checkpoints', 'MergeV2Checkpoints', ['Pack:output:0', 'file_prefix']),
    ],
  ),
  fn(
    '__inference__traced_restore_2',
    ['file_prefix', 'v'],
    [node('RestoreV2', 'RestoreV2', ['file_prefix', 'names:output:0', 'slices:output:0'])],
  ),
];

export const saverNodes = [
  node('saver_filename', 'Placeholder'),
  node('StatefulPartitionedCall_1', 'StatefulPartitionedCall', ['saver_filename', 'v'], {
    f: funcAttr('__inference__traced_save_1'),
  }),
  node('StatefulPartitionedCall_2', 'StatefulPartitionedCall', ['saver_filename', 'v'], {
    f: funcAttr('__inference__traced_restore_2'),
  }),
];

/**
 * A TensorFlow table (tensorflow/core/lib/io/format.cc, block_builder.cc) as BundleWriter writes
 * variables.index: blocks of entries (shared = 0, non_shared, value_length varints, key, value),
 * one restart at 0, a 5-byte trailer (type, crc); a 48-byte footer with the metaindex and index
 * handles and the magic. `indexRepeats` makes the index point at the data block that many times;
 * `lead` puts bytes before the first block that no block accounts for.
 */
export function tfTable(
  entries: [string, Uint8Array][],
  opts: { compression?: number; indexRepeats?: number; lead?: Uint8Array } = {},
): Uint8Array {
  const block = (es: [string, Uint8Array][]) =>
    cat(
      ...es.map(([k, v]) =>
        cat(pb.varint(0), pb.varint(Buffer.byteLength(k)), pb.varint(v.byteLength), k, v),
      ),
      [0, 0, 0, 0, 1, 0, 0, 0],
    );
  const trailer = (type: number) => [type, 0, 0, 0, 0];
  const data = block(entries);
  const lead = opts.lead ?? new Uint8Array(0);
  const handle = (off: number, size: number) => cat(pb.varint(lead.byteLength + off), pb.varint(size));
  const last = entries[entries.length - 1]?.[0] ?? '';
  const index = block(
    Array.from({ length: opts.indexRepeats ?? 1 }, () => [last, handle(0, data.byteLength)]),
  );
  const indexOff = data.byteLength + 5;
  const meta = block([]);
  const metaOff = indexOff + index.byteLength + 5;
  const handles = cat(handle(metaOff, meta.byteLength), handle(indexOff, index.byteLength));
  const footer = cat(
    handles,
    new Uint8Array(40 - handles.byteLength),
    [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb],
  );
  return cat(lead, data, trailer(opts.compression ?? 0), index, trailer(0), meta, trailer(0), footer);
}

/** BundleHeaderProto num_shards = 1; BundleEntryProto dtype = 1, shard_id = 3, offset = 4, size = 5 */
export const bundleHeader = (shards: number) => pb.int(1, shards);
export const bundleEntry = (shard: number, offset: number, size: number) =>
  cat(
    pb.int(1, 1),
    ...(shard ? [pb.int(3, shard)] : []),
    ...(offset ? [pb.int(4, offset)] : []),
    pb.int(5, size),
  );
