import { createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  fulcioHandler,
  type HandlerFn,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  initializeTSA,
  rekorHandler,
  tsaHandler,
} from '@sigstore/mock';
import { type RunningServer, serveRoutes } from './http.ts';

export interface LocalSigstoreOptions {
  /**
   * When Fulcio believes it is: certificates are valid for 10 minutes from here. A time in the
   * past yields certificates that expired before Rekor or the TSA could witness them.
   */
  readonly fulcioTime?: Date;
}

export interface LocalSigstore {
  readonly fulcioUrl: string;
  readonly rekorUrl: string;
  /** full timestamp endpoint URL, as a signing_config lists it */
  readonly tsaUrl: string;
  /** trusted_root.json (v0.1) for this instance: CA, tlog, ctlog and TSA with validity windows */
  readonly trustedRoot: Record<string, unknown>;
  /** signing_config.json (v0.2) naming this instance's services */
  readonly signingConfig: Record<string, unknown>;
  /** an OIDC token the local Fulcio accepts; its certificate SAN is `identity`, issuer extension `issuer` */
  mintToken(claims: { identity: string; issuer: string; ttlSeconds?: number }): string;
  /** a keyless signer config (@modelseal/sign) for this instance: Fulcio, Rekor upload and the TSA */
  keylessConfig(claims: { identity: string; issuer: string }): {
    readonly kind: 'keyless';
    readonly identityToken: string;
    readonly fulcioUrl: string;
    readonly rekorUrl: string;
    readonly timestampServerUrl: string;
    readonly tlogUpload: true;
  };
  close(): Promise<void>;
}

const b64 = (b: ArrayBufferView): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** every authority of a local instance is valid from here on (before any fulcioTime used in tests) */
const EPOCH = '2000-01-01T00:00:00Z';
const nowTruncated = () => Math.floor(Date.now() / 1000) * 1000;

/**
 * A private Sigstore on 127.0.0.1 for tests and demos: Fulcio, Rekor and a TSA built from the
 * @sigstore/mock handler functions, each a real node:http server on an ephemeral port.
 */
export async function startLocalSigstore(options: LocalSigstoreOptions = {}): Promise<LocalSigstore> {
  // The mock services read their clock from one Date object; it is moved before each request so
  // time passes. TSA times are whole seconds: @sigstore/core rejects a genTime with 1-2 fractional
  // digits, which a millisecond clock would produce one time in ten.
  const fulcioClock = new Date();
  const tsaClock = new Date();
  const fulcioOffset = options.fulcioTime ? options.fulcioTime.getTime() - Date.now() : 0;
  let rekorFn: HandlerFn = async () => ({ statusCode: 503, response: 'starting' });

  const servers: RunningServer[] = [];
  const closeAll = () => Promise.all(servers.map((s) => s.close())).then(() => undefined);
  try {
    const ctLog = await initializeCTLog(keyPair());
    const ca = await initializeCA(keyPair(), ctLog, fulcioClock);
    const tsa = await initializeTSA(keyPair(), tsaClock);
    const fulcio = fulcioHandler(ca);
    const timestamp = tsaHandler(tsa);
    servers.push(
      await serveRoutes([
        {
          path: fulcio.path,
          fn: (body) => {
            fulcioClock.setTime(Date.now() + fulcioOffset);
            return fulcio.fn(body);
          },
        },
      ]),
    );
    servers.push(await serveRoutes([{ path: '/api/v1/log/entries', fn: (body) => rekorFn(body) }]));
    servers.push(
      await serveRoutes([
        {
          path: timestamp.path,
          fn: (body) => {
            tsaClock.setTime(nowTruncated());
            return timestamp.fn(body);
          },
        },
      ]),
    );
    const [fulcioServer, rekorServer, tsaServer] = servers as [RunningServer, RunningServer, RunningServer];

    const tlogKeys = keyPair();
    const tlog = await initializeTLog(rekorServer.url, tlogKeys);
    const rekor = rekorHandler(tlog);
    rekorFn = (body) => rekor.fn(storedForm(body));

    const fulcioUrl = fulcioServer.url;
    const rekorUrl = rekorServer.url;
    const tsaUrl = `${tsaServer.url}${timestamp.path}`;
    const validFor = { start: EPOCH };
    const logKey = (spki: Uint8Array) => ({
      rawBytes: b64(spki),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor,
    });
    const trustedRoot = {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        {
          baseUrl: rekorUrl,
          hashAlgorithm: 'SHA2_256',
          publicKey: logKey(tlog.publicKey),
          logId: { keyId: b64(createHash('sha256').update(tlog.publicKey).digest()) },
        },
      ],
      certificateAuthorities: [
        {
          subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
          uri: fulcioUrl,
          certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
          validFor,
        },
      ],
      ctlogs: [
        {
          baseUrl: `${fulcioUrl}/ct`,
          hashAlgorithm: 'SHA2_256',
          publicKey: logKey(ctLog.publicKey),
          logId: { keyId: b64(ctLog.logID) },
        },
      ],
      timestampAuthorities: [
        {
          subject: { organization: 'sigstore.mock', commonName: 'sigstore-tsa' },
          uri: tsaUrl,
          certChain: {
            certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }],
          },
          validFor,
        },
      ],
    };
    const service = (url: string) => ({ url, majorApiVersion: 1, validFor, operator: 'local' });
    const signingConfig = {
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [service(fulcioUrl)],
      oidcUrls: [],
      rekorTlogUrls: [service(rekorUrl)],
      tsaUrls: [service(tsaUrl)],
      rekorTlogConfig: { selector: 'ANY' },
      tsaConfig: { selector: 'ANY' },
    };
    const tokenSecret = randomBytes(32);
    return {
      fulcioUrl,
      rekorUrl,
      tsaUrl,
      trustedRoot,
      signingConfig,
      mintToken: (claims) => mintToken(tokenSecret, claims),
      keylessConfig: (claims) => ({
        kind: 'keyless',
        identityToken: mintToken(tokenSecret, claims),
        fulcioUrl,
        rekorUrl,
        timestampServerUrl: tsaUrl,
        tlogUpload: true,
      }),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/**
 * The mock Rekor stores whatever it is sent, but Rekor proper turns a proposed dsse entry
 * (`proposedContent`: envelope + verifiers) into its stored form (hashes + signatures), and
 * verifiers compare bundles with the stored form. Done here so the product stays untouched.
 */
function storedForm(body: string): string {
  let entry: {
    kind?: unknown;
    apiVersion?: unknown;
    spec?: { proposedContent?: { envelope?: string; verifiers?: string[] } };
  };
  try {
    entry = JSON.parse(body);
  } catch {
    return body;
  }
  const proposed = entry.spec?.proposedContent;
  if (entry.kind !== 'dsse' || !proposed || typeof proposed.envelope !== 'string') return body;
  const envelope = JSON.parse(proposed.envelope) as { payload: string; signatures: Array<{ sig: string }> };
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  return JSON.stringify({
    apiVersion: entry.apiVersion,
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha(proposed.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha(Buffer.from(envelope.payload, 'base64')) },
      signatures: envelope.signatures.map((s, i) => ({
        signature: s.sig,
        verifier: proposed.verifiers?.[i],
      })),
    },
  });
}

function mintToken(
  secret: Buffer,
  claims: { identity: string; issuer: string; ttlSeconds?: number },
): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const header = enc({ alg: 'HS256', typ: 'JWT' });
  const payload = enc({
    iss: claims.issuer,
    sub: claims.identity,
    ...(claims.identity.includes('@') && !claims.identity.includes(':')
      ? { email: claims.identity, email_verified: true }
      : {}),
    aud: 'sigstore',
    iat: now,
    nbf: now,
    exp: now + (claims.ttlSeconds ?? 600),
  });
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}
