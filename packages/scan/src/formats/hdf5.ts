import type { FindingCode } from '../findings.ts';
import { type ReadAt, Truncated } from '../reader.ts';
import { Bad, Bytes, cString, type Message, need, objectMessages, text, UNDEF } from './hdf5-bytes.ts';
import { HDF5_LIMITS } from './hdf5-limits.ts';

/**
 * The parts of an HDF5 file a loader can turn into code, read without touching dataset bytes: every
 * attribute (Keras keeps its model config in the root's `model_config`; PyTables unpickles attribute
 * strings that hold a pickle) and every dataset's datatype (variable-length or opaque data is where
 * pickled objects live). Walks the object headers reachable from the root group through symbol
 * tables (the format h5py writes by default) and compact link messages (libver="latest"). Whatever
 * this reader cannot follow (dense storage, shared messages, external files) is an issue, so the
 * scanner fails closed rather than skipping it.
 */
export interface Hdf5Attribute {
  /** object path and attribute name, `/` for the root group */
  readonly object: string;
  readonly name: string;
  /** string or raw bytes of each element that can carry text or serialized data */
  readonly values: readonly Uint8Array[];
}

export interface Hdf5Facts {
  readonly attributes: readonly Hdf5Attribute[];
  readonly issues: readonly { readonly code: FindingCode; readonly message: string }[];
  readonly objects: number;
}

export { HDF5_LIMITS };

export function readHdf5(r: ReadAt): Hdf5Facts {
  const b = new Bytes(r);
  const attributes: Hdf5Attribute[] = [];
  const issues: { code: FindingCode; message: string }[] = [];
  const issue = (code: FindingCode, message: string) => {
    if (issues.length < 50) issues.push({ code, message });
  };
  const seen = new Set<number>();
  const queue: { addr: number; path: string }[] = [];
  let objects = 0;
  try {
    queue.push({ addr: rootAddress(b), path: '/' });
    while (queue.length > 0) {
      const { addr, path } = queue.shift()!;
      if (seen.has(addr)) continue;
      seen.add(addr);
      if (++objects > HDF5_LIMITS.objects) {
        issue('HDF5_LIMIT', `more than ${HDF5_LIMITS.objects} objects`);
        break;
      }
      const msgs = objectMessages(b, addr);
      let dataset = false;
      let datatype: { cls: number; bits: number } | undefined;
      for (const m of msgs) {
        if (m.flags & 0x02 && (m.type === 0x03 || m.type === 0x0c)) {
          issue('FORMAT_NOT_ANALYSED', `${path}: shared (committed) datatypes are not followed`);
          continue;
        }
        switch (m.type) {
          case 0x03:
            datatype = { cls: b.at(m.pos, 1)[0]! & 0x0f, bits: b.at(m.pos + 1, 1)[0]! };
            break;
          case 0x08:
            dataset = true;
            if (b.at(m.pos, 1)[0] === 4 && b.at(m.pos + 1, 1)[0] === 3)
              issue('HDF5_EXTERNAL', `${path}: a virtual dataset maps data from other files`);
            break;
          case 0x07:
            issue('HDF5_EXTERNAL', `${path}: the dataset's data is stored in external files`);
            break;
          case 0x0c:
            if (attributes.length >= HDF5_LIMITS.attributes) {
              issue('HDF5_LIMIT', `more than ${HDF5_LIMITS.attributes} attributes`);
              break;
            }
            attributes.push(readAttribute(b, m, path, issue));
            break;
          case 0x15:
            if (denseHeap(b, m, 2) !== UNDEF)
              issue('FORMAT_NOT_ANALYSED', `${path}: attributes in dense storage are not read`);
            break;
          case 0x02:
            if (denseHeap(b, m, 8) !== UNDEF)
              issue('FORMAT_NOT_ANALYSED', `${path}: links in dense storage are not followed`);
            break;
          case 0x06:
            readLink(b, m, path, queue, issue);
            break;
          case 0x11:
            symbolTable(b, b.addr(m.pos), b.addr(m.pos + b.o), path, queue, 0);
            break;
        }
      }
      // variable-length sequences (not strings) and opaque data are where PyTables keeps pickles
      const opaque = datatype?.cls === 5 || (datatype?.cls === 9 && (datatype.bits & 0x0f) !== 1);
      if (dataset && opaque) {
        issue(
          'HDF5_OBJECT_DATA',
          `${path}: a dataset of ${datatype?.cls === 5 ? 'opaque' : 'variable-length'} data, where pandas/PyTables keep pickled objects`,
        );
      }
    }
  } catch (e) {
    if (e instanceof Truncated)
      issue('HDF5_MALFORMED', `HDF5 structure runs past the end of the file (${e.message})`);
    else if (e instanceof Bad) issue('HDF5_MALFORMED', `HDF5: ${e.message}`);
    else throw e;
  }
  return { attributes, issues, objects };
}

function rootAddress(b: Bytes): number {
  const version = b.at(8, 1)[0]!;
  if (version === 0 || version === 1) {
    b.o = b.at(13, 1)[0]!;
    b.l = b.at(14, 1)[0]!;
    checkSizes(b);
    const entry = 24 + (version === 1 ? 4 : 0) + 4 * b.o;
    return need(b.addr(entry + b.o), 'root group');
  }
  if (version === 2 || version === 3) {
    b.o = b.at(9, 1)[0]!;
    b.l = b.at(10, 1)[0]!;
    checkSizes(b);
    return need(b.addr(12 + 3 * b.o), 'root group');
  }
  throw new Bad(`superblock version ${version} is unknown`);
}

function checkSizes(b: Bytes): void {
  if (![2, 4, 8].includes(b.o) || ![2, 4, 8].includes(b.l))
    throw new Bad(`offset size ${b.o} / length size ${b.l} are not 2, 4 or 8`);
}

function denseHeap(b: Bytes, m: Message, indexBytes: number): number {
  const flags = b.at(m.pos + 1, 1)[0]!;
  return b.addr(m.pos + 2 + (flags & 1 ? indexBytes : 0));
}

function readLink(
  b: Bytes,
  m: Message,
  parent: string,
  queue: { addr: number; path: string }[],
  issue: (c: FindingCode, s: string) => void,
): void {
  const flags = b.at(m.pos + 1, 1)[0]!;
  let p = m.pos + 2;
  const type = flags & 0x08 ? b.at(p++, 1)[0]! : 0;
  if (flags & 0x04) p += 8;
  if (flags & 0x10) p += 1;
  const nb = 1 << (flags & 3);
  const nameLen = b.uint(p, nb);
  p += nb;
  const name = text(b.at(p, nameLen));
  p += nameLen;
  const path = childPath(parent, name);
  if (type === 0) queue.push({ addr: need(b.addr(p), `link ${path}`), path });
  else if (type === 64) issue('HDF5_EXTERNAL', `${path}: an external link into another file`);
  else if (type !== 1) issue('FORMAT_NOT_ANALYSED', `${path}: link type ${type} is not followed`);
}

function symbolTable(
  b: Bytes,
  btree: number,
  heap: number,
  parent: string,
  queue: { addr: number; path: string }[],
  depth: number,
): void {
  if (depth > HDF5_LIMITS.btreeDepth) throw new Bad('group B-tree too deep');
  if (!b.sig(btree, 'TREE')) throw new Bad(`no group B-tree node at ${btree}`);
  if (!b.sig(heap, 'HEAP')) throw new Bad(`no local heap at ${heap}`);
  const heapData = b.addr(heap + 8 + 2 * b.l);
  const heapSize = b.len(heap + 8);
  const level = b.at(btree + 5, 1)[0]!;
  const used = b.uint(btree + 6, 2);
  let p = btree + 8 + 2 * b.o + b.l;
  for (let i = 0; i < used; i++, p += b.o + b.l) {
    const child = b.addr(p);
    if (level > 0) {
      symbolTable(b, child, heap, parent, queue, depth + 1);
      continue;
    }
    if (!b.sig(child, 'SNOD')) throw new Bad(`no symbol table node at ${child}`);
    const n = b.uint(child + 6, 2);
    const entry = 2 * b.o + 24;
    for (let k = 0; k < n; k++) {
      const e = child + 8 + k * entry;
      const nameOff = b.len(e);
      if (nameOff >= heapSize) throw new Bad('a link name lies outside its heap');
      const name = cString(b, heapData + nameOff, heapSize - nameOff);
      queue.push({ addr: need(b.addr(e + b.o), `link ${name}`), path: childPath(parent, name) });
    }
  }
}

function readAttribute(
  b: Bytes,
  m: Message,
  object: string,
  issue: (c: FindingCode, s: string) => void,
): Hdf5Attribute {
  const version = b.at(m.pos, 1)[0]!;
  if (version < 1 || version > 3) throw new Bad(`${object}: attribute message version ${version}`);
  const nameSize = b.uint(m.pos + 2, 2);
  const typeSize = b.uint(m.pos + 4, 2);
  const spaceSize = b.uint(m.pos + 6, 2);
  const pad = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  let p = m.pos + 8 + (version === 3 ? 1 : 0);
  const name = cString(b, p, nameSize);
  p += pad(nameSize);
  const typePos = p;
  p += pad(typeSize);
  const count = elements(b, p);
  p += pad(spaceSize);
  const values: Uint8Array[] = [];
  const where = `${object} attribute ${JSON.stringify(name)}`;
  if (version > 1 && b.at(m.pos + 1, 1)[0]! & 0x03) {
    issue('FORMAT_NOT_ANALYSED', `${where}: shared datatype or dataspace is not followed`);
    return { object, name, values };
  }
  const cls = b.at(typePos, 1)[0]! & 0x0f;
  const elemSize = b.uint(typePos + 4, 4);
  if (count * elemSize > HDF5_LIMITS.attributeBytes) throw new Bad(`${where} is too large`);
  const end = m.pos + m.size;
  if (p + count * elemSize > end) throw new Bad(`${where}: its data runs past the message`);
  switch (cls) {
    case 3:
    case 5:
      for (let i = 0; i < count; i++) values.push(b.at(p + i * elemSize, elemSize));
      break;
    case 9: {
      let total = 0;
      for (let i = 0; i < count; i++) {
        const e = p + i * elemSize;
        const v = globalHeapObject(b, b.addr(e + 4), b.uint(e + 4 + b.o, 4));
        total += v.byteLength;
        if (total > HDF5_LIMITS.attributeBytes) throw new Bad(`${where} is too large`);
        values.push(v);
      }
      break;
    }
    case 6:
    case 10:
      // members could be variable-length or opaque; not decoded, so not passed
      issue('FORMAT_NOT_ANALYSED', `${where}: compound and array attributes are not decoded`);
      break;
  }
  return { object, name, values };
}

function elements(b: Bytes, p: number): number {
  const version = b.at(p, 1)[0]!;
  const rank = b.at(p + 1, 1)[0]!;
  if (rank > 32) throw new Bad(`dataspace of rank ${rank}`);
  let dims = p + (version === 1 ? 8 : 4);
  if (version === 2 && b.at(p + 3, 1)[0] === 2) return 0;
  let n = 1;
  for (let i = 0; i < rank; i++, dims += b.l) {
    n *= b.len(dims);
    if (n > HDF5_LIMITS.attributeBytes) throw new Bad('an attribute has too many elements');
  }
  return n;
}

function globalHeapObject(b: Bytes, collection: number, index: number): Uint8Array {
  if (collection === 0 && index === 0) return new Uint8Array(0);
  if (!b.sig(collection, 'GCOL')) throw new Bad(`no global heap collection at ${collection}`);
  const size = b.len(collection + 8);
  const end = collection + size;
  let p = collection + 8 + b.l;
  while (p + 8 + b.l <= end) {
    const id = b.uint(p, 2);
    const len = b.len(p + 8);
    if (id === 0) break;
    if (id === index) return b.at(p + 8 + b.l, len);
    p += 8 + b.l + Math.ceil(len / 8) * 8;
  }
  throw new Bad(`global heap object ${index} is missing`);
}

const childPath = (parent: string, name: string): string =>
  parent === '/' ? `/${name}` : `${parent}/${name}`;
