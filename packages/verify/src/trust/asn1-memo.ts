/**
 * ASN.1 nodes for @sigstore/core that encode (and read) themselves as the library's ASN1Obj
 * does, without its cost: `ASN1Obj.toDER()` allocates two 1 KiB streams per node, and every
 * `toOID()` / `toDate()` / `toInteger()` parses the node's bytes again (the library asks for the
 * same extension OIDs and validity dates many times per bundle). fast-material.ts re-roots
 * certificates and timestamps on these; asn1-memo.test.ts compares them with the library's.
 */
import { ASN1Obj } from '@sigstore/core';

/**
 * A node that encodes itself as `ASN1Obj.toDER()` defines it (tag, minimal length, then the value
 * or its children's encodings). A node whose parsed bytes already are that encoding (its header
 * re-encodes to the bytes before its value, its children's encodings tile its value exactly, and
 * the same holds below it) hands out a copy of them; otherwise it is encoded from its children.
 */
abstract class DerNode extends ASN1Obj {
  /** the length of this node's own header if the bytes before its value are it (fixed at parse) */
  #header: number | undefined;
  /** are the children still the ones parsed (no edit since)? */
  protected abstract childrenAsParsed(): boolean;
  /**
   * The length of this node's parsed bytes if they are exactly its DER encoding, else -1. Header
   * bytes are read in place, from the parent's value when the parent asks (a child's header lies
   * inside it), so nothing is allocated per node.
   */
  parsedLength(parent?: Buffer): number {
    if (!this.childrenAsParsed()) return -1;
    const subs = this.subs;
    const value = this.value;
    let tiled = 0;
    for (let i = 0; i < subs.length; i++) {
      const c = subs[i];
      const n = c instanceof DerNode ? c.parsedLength(value) : -1;
      if (n < 0) return -1;
      tiled += n;
    }
    // a child whose header was longer than minimal can still end in its minimal header's bytes
    // (tag 0x81, length 0x81 0x05): the children's canonical encodings must fill the value exactly
    if (subs.length > 0 && tiled !== value.length) return -1;
    this.#header ??= headerBefore(this.tag.toDER(), value, parent);
    return this.#header < 0 ? -1 : this.#header + value.length;
  }
  /** this node's bytes as parsed, if they are exactly its DER encoding; a view, never to hand out */
  parsedBytes(): Buffer | undefined {
    const n = this.parsedLength();
    const v = this.value;
    return n < 0 ? undefined : Buffer.from(v.buffer, v.byteOffset + v.length - n, n);
  }
  override toDER(): Buffer {
    const parsed = this.parsedBytes();
    if (parsed) return copyOf(parsed);
    // kept children lend their encoding without a copy: concat copies them once anyway
    const body = this.subs.length > 0 ? Buffer.concat(this.subs.map(derOf)) : this.value;
    return Buffer.concat([derHeader(this.tag.toDER(), body.length), body]);
  }
}

/** A DerNode whose children may be edited (the SCT check removes an extension from a clone). */
export class Encoded extends DerNode {
  readonly #parsedChildren: readonly ASN1Obj[];
  constructor(tag: ASN1Obj['tag'], value: Buffer, subs: ASN1Obj[]) {
    super(tag, value, subs);
    this.#parsedChildren = [...subs];
  }
  protected childrenAsParsed(): boolean {
    const subs = this.subs;
    if (subs.length !== this.#parsedChildren.length) return false;
    for (let i = 0; i < subs.length; i++) if (subs[i] !== this.#parsedChildren[i]) return false;
    return true;
  }
}

/**
 * A DerNode of a tree nobody edits, its child list frozen so that nobody can: it keeps its
 * encoding and what its one scalar read returns (OID, date or integer, as its tag allows; a pure
 * function of its tag and bytes). Callers get their own copy of the encoding: @sigstore/core
 * writes into what toDER() returns (the RFC 3161 check turns the signed attributes' tag into a
 * SET in place), and a fresh Date each time.
 */
export class EncodedOnce extends DerNode {
  #parsedLength: number | undefined;
  #der: Buffer | undefined;
  #scalar: string | number | bigint | undefined;
  constructor(tag: ASN1Obj['tag'], value: Buffer, subs: ASN1Obj[]) {
    super(tag, value, Object.freeze(subs) as ASN1Obj[]);
  }
  protected childrenAsParsed(): boolean {
    return true;
  }
  override parsedLength(parent?: Buffer): number {
    this.#parsedLength ??= super.parsedLength(parent);
    return this.#parsedLength;
  }
  /** the encoding itself, for comparing; never handed to the library */
  der(): Buffer {
    // the parsed bytes themselves when they are the encoding (a view: the values are views too)
    this.#der ??= this.parsedBytes() ?? super.toDER();
    return this.#der;
  }
  override toDER(): Buffer {
    return copyOf(this.der());
  }
  // each read asks the library unless this node already holds a value of its type (the library
  // throws for the others: an OID node is no date)
  override toOID(): string {
    if (typeof this.#scalar !== 'string') this.#scalar = super.toOID();
    return this.#scalar;
  }
  override toDate(): Date {
    if (typeof this.#scalar !== 'number') this.#scalar = super.toDate().getTime();
    return new Date(this.#scalar);
  }
  override toInteger(): bigint {
    if (typeof this.#scalar !== 'bigint') this.#scalar = super.toInteger();
    return this.#scalar;
  }
}

function copyOf(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafe(bytes.length);
  bytes.copy(copy);
  return copy;
}

/**
 * The length of the DER header of (tag, value.length) if the bytes before `value` are it, else -1.
 * `parent` (the enclosing node's value, if it is a view of the same bytes) holds those bytes;
 * otherwise one small view is made.
 */
function headerBefore(tag: number, value: Buffer, parent: Buffer | undefined): number {
  const length = value.length;
  const lengthBytes =
    length < 0x80 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
  const size = 2 + lengthBytes;
  let bytes: Uint8Array;
  let at: number;
  if (
    parent !== undefined &&
    parent.buffer === value.buffer &&
    value.byteOffset - size >= parent.byteOffset
  ) {
    bytes = parent;
    at = value.byteOffset - size - parent.byteOffset;
  } else {
    if (value.byteOffset < size) return -1;
    bytes = new Uint8Array(value.buffer, value.byteOffset - size, size);
    at = 0;
  }
  if (bytes[at] !== tag) return -1;
  if (lengthBytes === 0) return bytes[at + 1] === length ? 2 : -1;
  if (bytes[at + 1] !== (0x80 | lengthBytes)) return -1;
  for (let k = 0; k < lengthBytes; k++) {
    if (bytes[at + 2 + k] !== (length >>> (8 * (lengthBytes - 1 - k))) % 256) return -1;
  }
  return size;
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

/** `node`'s tree again, of EncodedOnce nodes (once per certificate or timestamp: a plain loop) */
export function encodedOnce(node: ASN1Obj): EncodedOnce {
  const subs = node.subs;
  const copy: ASN1Obj[] = [];
  for (let i = 0; i < subs.length; i++) copy.push(encodedOnce(subs[i] as ASN1Obj));
  return new EncodedOnce(node.tag, node.value, copy);
}

/**
 * `node` with fresh, editable nodes along `path` (child indexes from it) and everything else
 * shared: what the SCT check edits of its clone (the extension list) is new, and what it only
 * reads is the original's frozen nodes, so an edit anywhere else throws instead of leaking.
 */
export function copyAlong(node: ASN1Obj, path: readonly number[]): ASN1Obj {
  const subs = [...node.subs];
  const [i, ...rest] = path;
  if (i !== undefined && subs[i] !== undefined) subs[i] = copyAlong(subs[i], rest);
  return new Encoded(node.tag, node.value, subs);
}

/** the encoding without a copy when `node` keeps one, else the library's */
export function derOf(node: ASN1Obj): Buffer {
  return node instanceof EncodedOnce ? node.der() : node.toDER();
}

/** The encoding Encoded nodes give `node` (for tests comparing it with the library's). */
export function encodeAgain(node: ASN1Obj): Buffer {
  const rebuild = (n: ASN1Obj): Encoded => new Encoded(n.tag, n.value, n.subs.map(rebuild));
  return rebuild(node).toDER();
}
