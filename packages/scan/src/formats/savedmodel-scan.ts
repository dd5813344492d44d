import { type Ctx, type FormatName, report } from '../context.ts';
import type { ReadAt } from '../reader.ts';
import { checkKerasConfigText } from './json-checks.ts';
import { checkMetaGraph } from './savedmodel.ts';
import { readKerasMetadata } from './savedmodel-extras.ts';
import { readSavedModel } from './savedmodel-meta.ts';
import { readBundleIndex } from './tf-bundle.ts';

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
