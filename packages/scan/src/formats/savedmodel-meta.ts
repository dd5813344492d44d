import { Cursor, type ReadAt, Truncated } from '../reader.ts';
import { ProtoError, type Tag, varint } from './protobuf.ts';
import {
  Counter,
  eachMessage,
  fields,
  graphDef,
  type MetaGraph,
  SAVEDMODEL_LIMITS,
  str,
  stringsOf,
  sub,
} from './savedmodel-proto.ts';

/**
 * The meta-graph level of a SavedModel: graphs (savedmodel-proto.ts), the saver's filename tensor,
 * signatures, asset file names and the object graph's entry points and tf.keras metadata.
 */
/** SavedObjectGraph: nodes = 1 (SavedObject: user_object = 4, function = 6, bare_concrete_function = 8) */
function objectGraph(cur: Cursor, end: number, mg: MetaGraph): void {
  fields(
    cur,
    end,
    eachMessage(1, (c, e) =>
      fields(c, e, (c2, t2) => {
        if (t2.wire !== 2) return false;
        if (t2.num === 6 || t2.num === 8) stringsOf(c2, 1, (s) => mg.entryFunctions.push(s));
        else if (t2.num === 4) sub(c2, (e2) => userObject(c2, e2, mg));
        else return false;
        return true;
      }),
    ),
  );
}

/** SavedUserObject: identifier = 1, metadata = 3 (deprecated; tf.keras wrote its layer JSON there) */
function userObject(cur: Cursor, end: number, mg: MetaGraph): void {
  let identifier = '';
  let json = '';
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 1) identifier = str(c);
    else if (t.num === 3) json = str(c, SAVEDMODEL_LIMITS.metadata);
    else return false;
    return true;
  });
  if (json !== '') mg.userMetadata.push({ identifier, json });
}

/** map<string, SignatureDef> entry (value = 2): SignatureDef inputs = 1, entries whose TensorInfo name = 1 */
function signatureEntry(cur: Cursor, end: number, mg: MetaGraph): void {
  const tensorInfo = (c: Cursor, t: Tag) => {
    if (t.num !== 2 || t.wire !== 2) return false;
    stringsOf(c, 1, (s) => mg.signatureInputs.push(s));
    return true;
  };
  fields(
    cur,
    end,
    eachMessage(2, (c, e) =>
      fields(
        c,
        e,
        eachMessage(1, (c2, e2) => fields(c2, e2, tensorInfo)),
      ),
    ),
  );
}

/** MetaGraphDef: graph_def = 2, saver_def = 3 (filename_tensor_name = 1), asset_file_def = 6, object_graph_def = 7 */
function metaGraph(cur: Cursor, end: number, count: Counter): MetaGraph {
  const mg: MetaGraph = {
    nodes: [],
    functions: [],
    gradients: [],
    saverFilename: '',
    assets: [],
    signatureInputs: [],
    entryFunctions: [],
    userMetadata: [],
  };
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 2) sub(c, (e) => graphDef(c, e, mg, count));
    else if (t.num === 3) {
      stringsOf(c, 1, (s) => {
        mg.saverFilename = s;
      });
    }
    // AssetFileDef: filename = 2
    else if (t.num === 6) stringsOf(c, 2, (s) => mg.assets.push(s));
    else if (t.num === 5) sub(c, (e) => signatureEntry(c, e, mg));
    else if (t.num === 7) sub(c, (e) => objectGraph(c, e, mg));
    else return false;
    return true;
  });
  return mg;
}

/** SavedModel: saved_model_schema_version = 1, meta_graphs = 2. A string says why it did not decode. */
export function readSavedModel(r: ReadAt): MetaGraph[] | string {
  const cur = new Cursor(r);
  const count = new Counter();
  const graphs: MetaGraph[] = [];
  try {
    fields(cur, r.size, (c, t) => {
      if (t.num === 2 && t.wire === 2) {
        sub(c, (e) => graphs.push(metaGraph(c, e, count)));
        return true;
      }
      if (t.num === 1 && t.wire === 0) {
        varint(c);
        return true;
      }
      return false;
    });
  } catch (e) {
    if (e instanceof ProtoError) return e.message;
    if (e instanceof Truncated) return `data ends inside a field (byte ${e.at})`;
    throw e;
  }
  return graphs;
}
