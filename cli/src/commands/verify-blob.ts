import { createHash } from 'node:crypto';
import { UsageError } from '@modelseal/core';
import type { BlobArtifact, BlobVerification, IdentityPolicy } from '@modelseal/verify';
import type { CommandModule } from 'yargs';
import { err, type OutputFormat, outJson } from '../io.ts';
import { FILE_LIMITS, hashUserFile, readUserBytes, readUserFile, userFileSize } from '../options/files.ts';
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
      code: 'DIGEST_ARG_INVALID',
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
  const bundle = parseSigstoreBundle(
    await readJsonFile(o.bundlePath, 'bundle', '--bundle', FILE_LIMITS.bundle),
    `bundle ${o.bundlePath}`,
  );
  const publicKeyPem = o.keyPath === undefined ? undefined : readUserFile(o.keyPath, 'public key', '--key');
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
  // any size can be checked by digest; a message signature needs the bytes themselves
  const file = { path: a.path, what: 'artifact', flag: '<artifact>', maxBytes: Number.MAX_SAFE_INTEGER };
  if (wantBytes && userFileSize(file) <= IN_MEMORY_LIMIT)
    return { kind: 'bytes', data: readUserBytes({ ...file, maxBytes: IN_MEMORY_LIMIT }) };
  return { kind: 'digest', sha256: hashUserFile(file) };
}
