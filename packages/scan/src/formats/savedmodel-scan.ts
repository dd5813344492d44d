import { type Ctx, type FormatName, report } from '../context.ts';
import type { ReadAt } from '../reader.ts';
import { checkKerasConfigText } from './json-checks.ts';
import { checkMetaGraph } from './savedmodel.ts';
import { readKerasMetadata } from './savedmodel-extras.ts';
import { readSavedModel } from './savedmodel-meta.ts';
import { readBundleIndex, type TensorDataClaim, ZIP_END } from './tf-bundle.ts';

/** saved_model.pb: every meta graph decoded, then judged (savedmodel.ts). */
export function scanSavedModel(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName {
  const graphs = readSavedModel(r);
  if (typeof graphs === 'string') {
    report(ctx, where, 'SAVEDMODEL_MALFORMED', `SavedModel: ${graphs}`);
    return 'tf-savedmodel';
  }
  graphs.forEach((mg, i) => {
    const label = graphs.length > 1 ? `meta graph ${i}: ` : '';
    for (const issue of checkMetaGraph(mg, ctx.profile.tfOps))
      report(ctx, where, issue.code, `${label}${issue.message}`);
  });
  return 'tf-savedmodel';
}

/** keras_metadata.pb: each layer's JSON config checked as the Keras configs of .h5/.keras files are */
export function scanKerasMetadata(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName | null {
  const nodes = readKerasMetadata(r);
  if (nodes === null) return null;
  for (const n of nodes) {
    const label = `keras_metadata node ${JSON.stringify(n.path || n.identifier)}`;
    if (n.json === '') continue;
    for (const i of checkKerasConfigText(label, n.json)) report(ctx, where, i.code, i.message);
  }
  return 'keras-metadata';
}

/** variables.index: must parse; its data files are accepted through it (tensorBundleData) */
export function scanTfIndex(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName {
  const idx = readBundleIndex(r);
  if (typeof idx === 'string') report(ctx, where, 'SAVEDMODEL_VARIABLES', `checkpoint index: ${idx}`);
  return 'tf-ckpt-index';
}

/** A data shard its index names (ScanOptions.tensorData): accepted unread at the size the index gives. */
export function scanTensorData(r: ReadAt, claim: TensorDataClaim, ctx: Ctx): FormatName {
  if (r.size !== claim.bytes) {
    report(
      ctx,
      undefined,
      'SAVEDMODEL_VARIABLES',
      `holds ${r.size} bytes where ${claim.index} places tensors in ${claim.bytes}`,
    );
  }
  // the bytes are not read, except where a zip reader looks first: the end record in the last 64 KiB
  const tail = r.read(Math.max(0, r.size - ZIP_TAIL), ZIP_TAIL);
  if (Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).includes(ZIP_END)) {
    report(
      ctx,
      undefined,
      'SAVEDMODEL_VARIABLES',
      'ends with a zip end record, so a zip reader would open it as an archive',
    );
  }
  return 'tensor-data';
}

const ZIP_TAIL = 65_557; // the end record (22 bytes) and the longest comment
