/**
 * The SavedModel analyser on three inputs, from the same run:
 * - the Keras Conv/LSTM export written by TensorFlow (packages/scan/test/vectors/savedmodel);
 * - a TF1-style frozen graph: one Const whose tensor_content is N MiB (a hole in a sparse file),
 *   to show that constant tensor bytes are stepped over, not read;
 * - a synthetic graph of 200,000 nodes (MatMul chains in 1,000 functions plus the saver
 *   plumbing), for the cost of the op and dataflow checks.
 *
 *   pnpm bench scan-savedmodel [--const-mib=N]   (default 1024)
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileReader } from '../packages/scan/src/fs.ts';
import { bytesReader, type ReadAt, scanFile } from '../packages/scan/src/index.ts';
import { cat, pb } from '../packages/scan/test/builders.ts';
import { fn, node, savedModel, saverFunctions, saverNodes } from '../packages/scan/test/savedmodel-build.ts';
import { median, table } from './report.ts';

const VECTOR = fileURLToPath(
  new URL('../packages/scan/test/vectors/savedmodel/keras-conv-lstm-export/saved_model.pb', import.meta.url),
);

/** varint length prefix of a LEN field of `n` bytes, after its tag */
const lenField = (field: number, n: number) => cat(pb.varint(field * 8 + 2), pb.varint(n));

/** SavedModel{meta_graphs{graph_def{node{name, op: Const, attr{value: tensor{tensor_content: <hole>}}}}}} */
function writeFrozen(path: string, contentBytes: number): number {
  const tensorHead = cat(pb.int(1, 1), lenField(4, contentBytes));
  const tensorLen = tensorHead.byteLength + contentBytes;
  const attrValue = lenField(8, tensorLen);
  const attrEntry = cat(pb.bytes(1, 'value'), lenField(2, attrValue.byteLength + tensorLen));
  const nodeHead = cat(
    pb.bytes(1, 'w'),
    pb.bytes(2, 'Const'),
    lenField(5, attrEntry.byteLength + attrValue.byteLength + tensorLen),
  );
  const nodeLen = nodeHead.byteLength + attrEntry.byteLength + attrValue.byteLength + tensorLen;
  const graph = lenField(1, nodeLen);
  const meta = lenField(2, graph.byteLength + nodeLen);
  const top = cat(pb.int(1, 1), lenField(2, meta.byteLength + graph.byteLength + nodeLen));
  const head = cat(top, meta, graph, nodeHead, attrEntry, attrValue, tensorHead);
  const fd = openSync(path, 'w');
  writeSync(fd, head, 0, head.byteLength, 0);
  writeSync(fd, new Uint8Array(1), 0, 1, head.byteLength + contentBytes - 1); // the rest is a hole
  closeSync(fd);
  return head.byteLength + contentBytes;
}

function bigGraph(): Uint8Array {
  const functions = Array.from({ length: 1000 }, (_, f) =>
    fn(
      `f${f}`,
      ['x', 'w'],
      Array.from({ length: 200 }, (_, i) =>
        node(`m${i}`, i % 2 ? 'BiasAdd' : 'MatMul', [i ? `m${i - 1}:product:0` : 'x', 'w']),
      ),
    ),
  );
  return savedModel({
    nodes: saverNodes,
    functions: [...saverFunctions, ...functions],
    saverFilename: 'saver_filename:0',
  });
}

function time(r: ReadAt, name: string, runs: number) {
  const ms: number[] = [];
  let report = scanFile(name, r);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    report = scanFile(name, r);
    ms.push(performance.now() - t0);
  }
  if (report.verdict !== 'pass')
    throw new Error(`${name} failed: ${JSON.stringify(report.findings.slice(0, 3))}`);
  return { ms: median(ms), read: report.bytesRead };
}

export async function run(flags: string[]): Promise<void> {
  const mib = Number(flags.find((f) => f.startsWith('--const-mib='))?.slice(12) ?? 1024);
  const dir = mkdtempSync(join(tmpdir(), 'modelseal-bench-savedmodel-'));
  try {
    const keras = readFileSync(VECTOR);
    const frozenPath = join(dir, 'saved_model.pb');
    const frozenSize = writeFrozen(frozenPath, mib << 20);
    const frozen = openFileReader(frozenPath);
    const big = bigGraph();
    const rows = [
      ['input', 'size bytes', 'bytes read', 'median ms'],
      ...(
        [
          ['Keras Conv/LSTM export (TF 2.21)', bytesReader(keras), keras.byteLength, 20],
          [`frozen graph, one ${mib} MiB Const (sparse file)`, frozen, frozenSize, 20],
          ['200,000 nodes in 1,000 functions', bytesReader(big), big.byteLength, 5],
        ] as const
      ).map(([what, r, size, runs]) => {
        const t = time(r, 'saved_model.pb', runs);
        return [what, String(size), String(t.read), t.ms.toFixed(1)];
      }),
    ];
    frozen.close();
    process.stdout.write(`${table(rows)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
