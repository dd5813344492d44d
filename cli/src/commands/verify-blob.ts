import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { InputError, NotFoundError, UsageError } from '@modelseal/core';
import type { BlobArtifact, BlobVerification, IdentityPolicy } from '@modelseal/verify';
import type { CommandModule } from 'yargs';
import { err, type OutputFormat, outJson } from '../io.ts';
import {
  identityFrom,
  readJsonFile,
  type SigstoreTrustArgs,
  trustedRootFrom,
  withSigstoreTrust,
} from '../options/sigstore.ts';

interface Argv extends SigstoreTrustArgs {
  artifact: string;
  bundle: string;
  key?: string;
  output: OutputFormat;
}

interface Options {
  readonly artifact:
    | { readonly kind: 'file'; readonly path: string }
    | { readonly kind: 'digest'; readonly hex: string };
  readonly bundlePath: string;
  readonly keyPath: string | undefined;
  readonly trust: SigstoreTrustArgs;
  readonly identity: IdentityPolicy;
  readonly output: OutputFormat;
}

interface Result {
  readonly artifact: string;
  readonly sha256: string;
  readonly verification: BlobVerification;
  readonly signedBy: string;
}

/** Above this, a message-signature artifact is checked by digest instead of being held in memory. */
const IN_MEMORY_LIMIT = 256 << 20;
const DIGEST_ARG = /^sha256:([0-9a-fA-F]{64})$/;

export const verifyBlobCommand: CommandModule<object, Argv> = {
  command: 'verify-blob <artifact>',
  describe: 'verify a Sigstore bundle over a file or a sha256:<hex> digest (like cosign verify-blob)',
  builder: (y) =>
    withSigstoreTrust(
      y
        .positional('artifact', {
          type: 'string',
          demandOption: true,
          describe: 'the signed file, or sha256:<hex> of it',
        })
        .option('bundle', {
          type: 'string',
          demandOption: true,
          describe: 'Sigstore bundle (v0.1-v0.3) JSON file',
        })
        .option('key', { type: 'string', describe: 'PEM public key, for bundles signed with a key' })
        .option('output', { choices: ['text', 'json'] as const, default: 'text' as const, alias: 'o' }),
    ) as never,
  handler: async (argv) => {
    const options = toOptions(argv);
    const result = await run(options);
    render(result, options.output);
  },
};

function toOptions(argv: Argv): Options {
  const m = DIGEST_ARG.exec(argv.artifact);
  if (argv.artifact.startsWith('sha256:') && !m) {
    throw new UsageError({
      code: 'DIGEST_INVALID',
      message: `${argv.artifact} is not sha256: followed by 64 hex digits`,
    });
  }
  return Object.freeze({
    artifact: m
      ? { kind: 'digest' as const, hex: m[1]!.toLowerCase() }
      : { kind: 'file' as const, path: argv.artifact },
    bundlePath: argv.bundle,
    keyPath: argv.key,
    trust: argv,
    identity: identityFrom(argv),
    output: argv.output,
  });
}

async function run(o: Options): Promise<Result> {
  const { createBlobVerifier, describeSigner, parseSigstoreBundle } = await import('@modelseal/verify');
  const bundle = parseSigstoreBundle(await readJsonFile(o.bundlePath, '--bundle'), `bundle ${o.bundlePath}`);
  const publicKeyPem = o.keyPath === undefined ? undefined : await readKey(o.keyPath);
  const verifier = createBlobVerifier({
    trustedRoot: await trustedRootFrom(o.trust),
    ...(publicKeyPem === undefined ? { identity: o.identity } : { publicKeyPem }),
  });
  const artifact = await loadArtifact(o.artifact, bundle.content.$case === 'messageSignature');
  const verification = verifier.verify(bundle, artifact);
  const sha256 =
    artifact.kind === 'digest'
      ? Buffer.from(artifact.sha256).toString('hex')
      : createHash('sha256').update(artifact.data).digest('hex');
  return {
    artifact: o.artifact.kind === 'file' ? o.artifact.path : `sha256:${o.artifact.hex}`,
    sha256,
    verification,
    signedBy: describeSigner(verification.signer),
  };
}

function render(r: Result, output: OutputFormat): void {
  const s = r.verification.signer;
  switch (output) {
    case 'json':
      outJson({
        ok: true,
        artifact: r.artifact,
        sha256: r.sha256,
        content: r.verification.content,
        signer: s,
        tlogEntries: r.verification.tlogEntries,
        timestamps: r.verification.timestamps,
      });
      break;
    case 'text':
      break;
  }
  err(`Verified OK: ${r.artifact} signed by ${r.signedBy}`);
}

async function loadArtifact(a: Options['artifact'], wantBytes: boolean): Promise<BlobArtifact> {
  if (a.kind === 'digest') return { kind: 'digest', sha256: new Uint8Array(Buffer.from(a.hex, 'hex')) };
  try {
    const st = await stat(a.path);
    if (!st.isFile()) {
      throw new InputError({ code: 'ARTIFACT_NOT_FILE', message: `${a.path} is not a regular file` });
    }
    if (wantBytes && st.size <= IN_MEMORY_LIMIT) return { kind: 'bytes', data: await readFile(a.path) };
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(a.path, { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
    return { kind: 'digest', sha256: new Uint8Array(hash.digest()) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError({
        code: 'ARTIFACT_NOT_FOUND',
        message: `artifact ${a.path} does not exist (give a file or sha256:<hex>)`,
      });
    }
    throw e;
  }
}

async function readKey(path: string): Promise<string> {
  try {
    const pem = await readFile(path, 'utf8');
    if (pem.length > 64 << 10)
      throw new InputError({ code: 'PUBLIC_KEY_INVALID', message: `--key ${path} is too large` });
    return pem;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError({ code: 'KEY_NOT_FOUND', message: `--key file ${path} does not exist` });
    }
    throw e;
  }
}
