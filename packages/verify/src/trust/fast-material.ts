/**
 * Makes @sigstore/verify cheap to call many times with one trust root, without changing what it
 * checks. Profiling a certificate + Rekor + TSA bundle (~13 ms each) showed the time going to
 * @sigstore/core re-encoding certificates to DER (`ASN1Obj.toDER()` allocates two 1 KiB buffers
 * per ASN.1 node, and `X509Certificate.equals` re-encodes both sides), to re-verifying the trusted
 * CA and TSA chains on every call (and once per timestamp), and to `createPublicKey` on the same
 * DER bytes. The library still drives every check; we hand it certificate objects that remember
 * what cannot change:
 *
 * - every ASN.1 node of a trusted certificate and of the bundle's leaf encodes to DER once (the
 *   value is the library's own encoding, computed on first use). The SCT check re-encodes a
 *   *clone* after removing an extension: `clone()` builds a plain, unmemoised certificate, so
 *   that path is untouched;
 * - a trusted certificate remembers whether its signature verifies under another trusted
 *   certificate (or itself): both are fixed bytes from the trust root, so the answer is too.
 *   Validity dates are not cached (the library checks them against each timestamp);
 * - the leaf remembers its own answer per issuer for the duration of one bundle (the library
 *   verifies the chain once per timestamp).
 */
import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { ASN1Obj, crypto, RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import type { SignedEntity, TrustMaterial } from '@sigstore/verify';

/**
 * An ASN.1 node that encodes itself as `ASN1Obj.toDER()` defines it (tag, minimal length, then
 * the value or its children's encodings; fast-material.test.ts compares both on real
 * certificates), without the library's two 1 KiB streams per node. A node whose parsed bytes
 * already are that encoding (its header re-encodes to the bytes before its value, and the same
 * holds below it) hands out a copy of them; a node whose children were changed since parsing
 * (the SCT check removes an extension from a clone) is encoded from its children.
 */
class Encoded extends ASN1Obj {
  readonly #parsedChildren: readonly ASN1Obj[];
  constructor(tag: ASN1Obj['tag'], value: Buffer, subs: ASN1Obj[]) {
    super(tag, value, subs);
    this.#parsedChildren = [...subs];
  }
  /** the bytes this node was parsed from, if its own header re-encodes to them (fixed at parse) */
  #span: Buffer | null | undefined;
  /** this node's bytes as parsed, if they are exactly its DER encoding; a view, never to hand out */
  parsedBytes(): Buffer | undefined {
    const subs = this.subs;
    if (subs.length !== this.#parsedChildren.length) return undefined;
    for (let i = 0; i < subs.length; i++) {
      const c = subs[i];
      if (c !== this.#parsedChildren[i] || !(c instanceof Encoded) || c.parsedBytes() === undefined)
        return undefined;
    }
    if (this.#span === undefined) this.#span = spanOf(this.tag.toDER(), this.value);
    return this.#span ?? undefined;
  }
  override toDER(): Buffer {
    const parsed = this.parsedBytes();
    if (parsed) return Buffer.from(parsed);
    const body = this.subs.length > 0 ? Buffer.concat(this.subs.map((s) => s.toDER())) : this.value;
    return Buffer.concat([derHeader(this.tag.toDER(), body.length), body]);
  }
}

/**
 * An Encoded node that keeps its encoding, for trees nobody edits. Each caller gets its own copy:
 * @sigstore/core writes into what toDER() returns (the RFC 3161 check turns the signed
 * attributes' tag into a SET in place).
 */
class EncodedOnce extends Encoded {
  #der: Buffer | undefined;
  #parsed: Buffer | null | undefined;
  override parsedBytes(): Buffer | undefined {
    if (this.#parsed === undefined) this.#parsed = super.parsedBytes() ?? null;
    return this.#parsed ?? undefined;
  }
  override toDER(): Buffer {
    this.#der ??= super.toDER();
    return Buffer.from(this.#der);
  }
}

/** `value` with the header bytes before it, if they are the DER header of (tag, value.length) */
function spanOf(tag: number, value: Buffer): Buffer | null {
  const header = derHeader(tag, value.length);
  const start = value.byteOffset - header.length;
  if (start < 0) return null;
  const bytes = new Uint8Array(value.buffer, start, header.length);
  for (let i = 0; i < header.length; i++) if (bytes[i] !== header[i]) return null;
  return Buffer.from(value.buffer, start, header.length + value.length);
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

function rebuild(node: ASN1Obj, Kind: typeof Encoded): ASN1Obj {
  return new Kind(
    node.tag,
    node.value,
    node.subs.map((s) => rebuild(s, Kind)),
  );
}

const encodedOnce = (node: ASN1Obj) => rebuild(node, EncodedOnce);

/**
 * Public keys of trust-root certificates, by their SPKI DER. The library parses such a key on every
 * call (the TSA's signing key once per timestamp, `createPublicKey` costing as much as the
 * signature check); the one `@sigstore/core` function that does so is wrapped once, and answers
 * from here only for DER bytes a trust root holds. Any other key goes to the library's function.
 */
const trustRootKeys = new Map<string, crypto.KeyObject>();
/**
 * The key of a bundle's leaf as OpenSSL parsed it with the whole certificate (parseBundle's
 * node:crypto X509Certificate), by the SPKI buffer LeafCertificate handed out: the library
 * asks for that key once per bundle, and parsing it again costs as much as a signature check.
 */
const leafKeys = new WeakMap<Buffer, { readonly spki: Buffer; readonly key: crypto.KeyObject }>();
const libraryCreatePublicKey = crypto.createPublicKey;
Reflect.set(crypto, 'createPublicKey', (key: string | Buffer, type?: 'spki' | 'pkcs1'): crypto.KeyObject => {
  if (typeof key !== 'string' && (type ?? 'spki') === 'spki') {
    const leaf = leafKeys.get(key);
    if (leaf?.spki.equals(key)) return leaf.key;
    const known = trustRootKeys.get(key.toString('base64'));
    if (known) return known;
  }
  return libraryCreatePublicKey(key, type);
});

/** A certificate from the trust root: its signature checks against trusted issuers are remembered. */
class TrustedCertificate extends X509Certificate {
  readonly #verifiedBy = new WeakMap<X509Certificate, boolean>();
  #key: crypto.KeyObject | undefined;
  constructor(cert: X509Certificate) {
    super(encodedOnce(cert.root));
    const der = this.publicKey;
    const id = der.toString('base64');
    if (!trustRootKeys.has(id)) {
      if (trustRootKeys.size >= 4096) trustRootKeys.clear(); // roots reloaded over and over
      try {
        trustRootKeys.set(id, libraryCreatePublicKey(der));
      } catch {
        // a key node cannot load: the library meets (and reports) it when the key is used
      }
    }
  }
  override verify(issuer?: X509Certificate): boolean {
    // an issuer from outside the trust root (a bundle's certificate) is checked every time
    const by = issuer ?? this;
    if (!(by instanceof TrustedCertificate)) return super.verify(issuer);
    let ok = this.#verifiedBy.get(by);
    if (ok === undefined) {
      ok = super.verify(issuer);
      this.#verifiedBy.set(by, ok);
    }
    return ok;
  }
  /**
   * Does this (issuing) certificate's key verify `cert`'s signature? What
   * `X509Certificate.verify(issuer)` does, with the key parsed once rather than per call.
   */
  hasSigned(cert: X509Certificate): boolean {
    this.#key ??= libraryCreatePublicKey(this.publicKey);
    return crypto.verify(
      cert.tbsCertificate.toDER(),
      this.#key,
      cert.signatureValue,
      cert.signatureAlgorithm,
    );
  }
}

/** The bundle's signing certificate, for one verification: same bytes, same answers. */
class LeafCertificate extends X509Certificate {
  readonly #verifiedBy = new Map<X509Certificate | undefined, boolean>();
  /** OpenSSL's parse of exactly these certificate bytes, when the caller has one */
  readonly #parsed: NodeX509Certificate | undefined;
  constructor(cert: X509Certificate, parsed: NodeX509Certificate | undefined) {
    super(encodedOnce(cert.root));
    this.#parsed = parsed && sameCertificate(this.root, parsed) ? parsed : undefined;
  }
  /**
   * The SPKI DER, as the library's getter gives it (a fresh copy per call). With OpenSSL's parse
   * of the same certificate bytes at hand, the copy is registered with that parse's key, so
   * `crypto.createPublicKey` of it does not parse the key a second time.
   */
  override get publicKey(): Buffer {
    const spki = super.publicKey;
    if (this.#parsed) leafKeys.set(spki, { spki: Buffer.from(spki), key: this.#parsed.publicKey });
    return spki;
  }
  /** The SCT check edits its clone's extensions before encoding it: a fresh tree that keeps nothing. */
  override clone(): X509Certificate {
    return new X509Certificate(rebuild(this.root, Encoded));
  }
  override verify(issuer?: X509Certificate): boolean {
    let ok = this.#verifiedBy.get(issuer);
    if (ok === undefined) {
      ok = issuer instanceof TrustedCertificate ? issuer.hasSigned(this) : super.verify(issuer);
      this.#verifiedBy.set(issuer, ok);
    }
    return ok;
  }
}

/**
 * The same trust material with remembering certificates; build once per trust root. Each chain's
 * own signatures (certificate i by i + 1, the last by itself) are checked here, where the library
 * would check them first, so the first bundle does not pay for them.
 */
export function withRememberedCertificates(material: TrustMaterial): TrustMaterial {
  const authorities = (list: TrustMaterial['certificateAuthorities']) =>
    list.map((ca) => {
      const certChain = ca.certChain.map((c) => new TrustedCertificate(c));
      certChain.forEach((c, i) => {
        c.verify(certChain[i + 1]);
      });
      return { ...ca, certChain };
    });
  return {
    ...material,
    certificateAuthorities: authorities(material.certificateAuthorities),
    timestampAuthorities: authorities(material.timestampAuthorities),
  };
}

/**
 * The entity with its leaf certificate and RFC 3161 timestamps re-rooted on remembering ASN.1
 * trees. Parsing stays the library's; only the encodings it asks for again are kept.
 */
export function rememberingEntity(entity: SignedEntity, parsedLeaf?: NodeX509Certificate): SignedEntity {
  const timestamps = entity.timestamps.map((t) =>
    t.$case === 'timestamp-authority'
      ? { $case: t.$case, timestamp: new RFC3161Timestamp(encodedOnce(t.timestamp.root)) }
      : t,
  );
  if (entity.key.$case !== 'certificate') return { ...entity, timestamps };
  return {
    ...entity,
    timestamps,
    key: { $case: 'certificate', certificate: new LeafCertificate(entity.key.certificate, parsedLeaf) },
  };
}

/**
 * Are `root` (the library's parse) and `parsed` (OpenSSL's) the same certificate bytes, laid out
 * so that the library's SPKI (the 7th TBS field) is the one OpenSSL took the key from? Both
 * parsed the same DER; with the explicit version field present the 7th field is the SPKI in
 * X.509's grammar, which OpenSSL enforces. Anything else: no shortcut, the library parses.
 */
function sameCertificate(root: ASN1Obj, parsed: NodeX509Certificate): boolean {
  const bytes = root instanceof Encoded ? root.parsedBytes() : undefined;
  const tbs = root.subs[0];
  return (
    bytes !== undefined &&
    tbs !== undefined &&
    tbs.subs.length >= 7 &&
    tbs.subs[0]!.tag.isContextSpecific(0) &&
    parsed.raw.equals(bytes)
  );
}

/** The encoding Encoded nodes give `node` (for tests comparing it with the library's). */
export function encodeAgain(node: ASN1Obj): Buffer {
  return rebuild(node, Encoded).toDER();
}

/**
 * Runs a @sigstore/core parse with stack traces off: it tries every OCTET STRING as nested DER and
 * catches the error when it is not, and capturing those errors' stacks was 5 % of verifying a
 * certificate bundle. Errors that escape keep their messages (callers wrap them in coded errors).
 */
export function withoutStackTraces<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
