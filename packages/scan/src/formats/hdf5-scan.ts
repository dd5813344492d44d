import { type Ctx, type FormatName, join, report } from '../context.ts';
import { scanPickleStream } from '../pickle-file.ts';
import { bytesReader, type ReadAt } from '../reader.ts';
import { readHdf5 } from './hdf5.ts';
import { checkKerasConfigText } from './json-checks.ts';

/** what Keras's legacy loader deserializes from the root group; both can name Lambda code */
const KERAS_CONFIGS = new Set(['model_config', 'training_config']);

/**
 * An HDF5 file fails when its structure cannot be followed, when it points outside itself, when a
 * dataset holds opaque or variable-length objects, when an attribute holds a pickle that fails the
 * walk, or when the Keras config in the root group carries code.
 */
export function scanHdf5(r: ReadAt, ctx: Ctx, where: string | undefined): FormatName {
  const facts = readHdf5(r);
  for (const i of facts.issues) report(ctx, where, i.code, i.message);
  for (const a of facts.attributes) {
    const label = `${a.object} attribute ${JSON.stringify(a.name)}`;
    for (const v of a.values) {
      // PyTables unpickles an attribute string that starts like a pickle
      if (v[0] === 0x80 && v[1] !== undefined && v[1] >= 2 && v[1] <= 5) {
        scanPickleStream(bytesReader(v), ctx, join(where, `${a.object}@${a.name}`), { allowLegacy: false });
      }
    }
    if (a.object !== '/' || !KERAS_CONFIGS.has(a.name)) continue;
    const first = a.values[0];
    if (first === undefined) continue;
    for (const i of checkKerasConfigText(label, first.subarray(0, nulAt(first))))
      report(ctx, where, i.code, i.message);
  }
  return 'hdf5';
}

/** fixed-length HDF5 strings are NUL-padded */
const nulAt = (u: Uint8Array): number => {
  const i = u.indexOf(0);
  return i === -1 ? u.byteLength : i;
};
