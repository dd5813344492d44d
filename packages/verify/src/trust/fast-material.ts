/**
 * Makes @sigstore/verify cheap to call many times with one trust root, without changing what it
 * checks. Profiling a certificate + Rekor + TSA bundle (~13 ms each) showed the time going to
 * @sigstore/core re-encoding certificates to DER (`ASN1Obj.toDER()` allocates two 1 KiB buffers
 * per ASN.1 node, and `X509Certificate.equals` re-encodes both sides), to re-verifying the trusted
 * CA and TSA chains on every call (and once per timestamp), and to `createPublicKey` on the same
 * DER bytes. The library still drives every check; we hand it certificate objects that remember
 * what cannot change:
 *
 * - every ASN.1 node of a trusted certificate, of the bundle's leaf and of its timestamps is a
 *   frozen node that encodes to DER once and parses its OID, date or integer once
 *   (asn1-memo.ts; the values are the library's own, computed on first use). The SCT check
 *   re-encodes a *clone* after removing an extension: the clone's nodes down to the extension
 *   list are new and encode from their children; certificate equality compares the kept
 *   encodings without copying them;
 * - a trusted certificate remembers whether its signature verifies under another trusted
 *   certificate (or itself): both are fixed bytes from the trust root, so the answer is too.
 *   Validity dates are not cached (the library checks them against each timestamp);
 * - the leaf remembers its own answer per issuer for the duration of one bundle (the library
 *   verifies the chain once per timestamp), and its key is the one OpenSSL parsed with the same
 *   certificate bytes in parseBundle, when there is such a parse.
 */
import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { type ASN1Obj, crypto, X509Certificate } from '@sigstore/core';
import type { SignedEntity, TrustMaterial } from '@sigstore/verify';
import { copyAlong, derOf, EncodedOnce, encodedOnce } from './asn1-memo.ts';
import {
  KEPT_CERTIFICATE_READS,
  type KeepsReads,
  keepReads,
  MISSING_READS,
  RememberingTimestamp,
} from './kept-reads.ts';

/**
 * Public keys of trust-root certificates, by their SPKI DER. The library parses such a key on every
 * call (the TSA's signing key once per timestamp, `createPublicKey` costing as much as the
 * signature check); the one `@sigstore/core` function that does so is wrapped once, and answers
 * from here only for DER bytes a trust root holds. Any other key goes to the library's function.
 */
const trustRootKeys = new Map<string, crypto.KeyObject>();
/**
 * The key of a bundle's leaf as OpenSSL parsed it with the whole certificate (parseBundle's
 * node:crypto X509Certificate), lent for the SPKI buffer LeafCertificate last handed out: the
 * library asks for that key once per bundle, in the same expression that reads the SPKI, and
 * parsing it again costs as much as a signature check. One slot, not a WeakMap: entries keyed by
 * short-lived buffers would stay (with their keys) until a full GC.
 */
let lent: { readonly buffer: Buffer; readonly spki: Buffer; readonly key: crypto.KeyObject } | undefined;
const libraryCreatePublicKey = crypto.createPublicKey;
Reflect.set(crypto, 'createPublicKey', (key: string | Buffer, type?: 'spki' | 'pkcs1'): crypto.KeyObject => {
  if (typeof key !== 'string' && (type ?? 'spki') === 'spki') {
    const leaf = lent;
    if (leaf !== undefined && leaf.buffer === key) {
      lent = undefined;
      if (leaf.spki.equals(key)) return leaf.key;
    }
    const known = trustRootKeys.get(key.toString('base64'));
    if (known) return known;
  }
  return libraryCreatePublicKey(key, type);
});

/**
 * A certificate on a frozen tree (asn1-memo.ts): it finds each extension once (the library
 * searches the extension list on every getter, dozens of times per bundle) and compares itself
 * with another certificate by the kept encodings rather than two fresh copies.
 */
class RememberingCertificate extends X509Certificate implements KeepsReads {
  readonly reads = new Map<string, unknown>();
  readonly #extensions = new Map<string, ASN1Obj | undefined>();
  constructor(root: ASN1Obj) {
    super(encodedOnce(root));
  }
  /** installed as the library's (TypeScript-private) findExtension below */
  extensionOnce(oid: string): ASN1Obj | undefined {
    let ext = this.#extensions.get(oid);
    if (ext === undefined && !this.#extensions.has(oid)) {
      ext = libraryFindExtension.call(this, oid);
      this.#extensions.set(oid, ext);
    }
    return ext;
  }
  override equals(other: X509Certificate): boolean {
    return derOf(this.root).equals(derOf(other.root));
  }
}
const libraryFindExtension = Reflect.get(X509Certificate.prototype, 'findExtension') as (
  this: X509Certificate,
  oid: string,
) => ASN1Obj | undefined;
if (typeof libraryFindExtension === 'function')
  Reflect.defineProperty(RememberingCertificate.prototype, 'findExtension', {
    value: RememberingCertificate.prototype.extensionOnce,
  });
else MISSING_READS.push('findExtension'); // renamed in an upgrade: kept-reads.test.ts notices
keepReads(RememberingCertificate.prototype, X509Certificate.prototype, KEPT_CERTIFICATE_READS);

/** A certificate from the trust root: its signature checks against trusted issuers are remembered. */
class TrustedCertificate extends RememberingCertificate {
  readonly #verifiedBy = new WeakMap<X509Certificate, boolean>();
  constructor(cert: X509Certificate) {
    super(cert.root);
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
}

/**
 * The SCT check's clone: it removes an element from the extension list, never a node from the
 * tree above it, so where the TBS and the extension list are stays fixed (the loop over the list
 * asks for both on every step).
 */
class CloneCertificate extends X509Certificate implements KeepsReads {
  readonly reads = new Map<string, unknown>();
}
keepReads(CloneCertificate.prototype, X509Certificate.prototype, ['tbsCertificateObj', 'extensionsObj']);

/** The bundle's signing certificate, for one verification: same bytes, same answers. */
class LeafCertificate extends RememberingCertificate {
  readonly #verifiedBy = new Map<X509Certificate | undefined, boolean>();
  /** OpenSSL's parse of exactly these certificate bytes, when the caller has one */
  readonly #parsed: NodeX509Certificate | undefined;
  #key: crypto.KeyObject | undefined;
  constructor(cert: X509Certificate, parsed: NodeX509Certificate | undefined) {
    super(cert.root);
    this.#parsed = parsed && sameCertificate(this.root, parsed) ? parsed : undefined;
  }
  /**
   * The SPKI DER, as the library's getter gives it (a fresh copy per call). With OpenSSL's parse
   * of the same certificate bytes at hand, the copy is registered with that parse's key, so
   * `crypto.createPublicKey` of it does not parse the key a second time.
   */
  override get publicKey(): Buffer {
    const spki = super.publicKey;
    if (this.#parsed) {
      this.#key ??= this.#parsed.publicKey; // node builds a new KeyObject per get
      lent = { buffer: spki, spki: Buffer.from(spki), key: this.#key };
    }
    return spki;
  }
  /**
   * The SCT check removes the SCT extension from its clone's extension list, then encodes the
   * TBS: the nodes down to that list are new (and encode from their children), the rest are this
   * certificate's frozen nodes, shared.
   */
  override clone(): X509Certificate {
    const tbs = this.root.subs[0];
    const extensions = tbs?.subs.findIndex((s) => s.tag.isContextSpecific(0x03)) ?? -1;
    return new CloneCertificate(copyAlong(this.root, extensions < 0 ? [0] : [0, extensions, 0]));
  }
  override verify(issuer?: X509Certificate): boolean {
    let ok = this.#verifiedBy.get(issuer);
    if (ok === undefined) {
      // a trusted issuer's key comes from trustRootKeys (the library's createPublicKey, wrapped)
      ok = super.verify(issuer);
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
      ? { $case: t.$case, timestamp: new RememberingTimestamp(t.timestamp.root) }
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
  const bytes = root instanceof EncodedOnce ? root.parsedBytes() : undefined;
  const tbs = root.subs[0];
  return (
    bytes !== undefined &&
    tbs !== undefined &&
    tbs.subs.length >= 7 &&
    tbs.subs[0]!.tag.isContextSpecific(0) &&
    parsed.raw.equals(bytes)
  );
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
