import { UsageError } from '@modelseal/core';
import type { FileReport, ProfileName, ScanPredicate } from '@modelseal/scan';
import type { SignerConfig } from '@modelseal/sign';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { EXIT_CODES } from '../exit.ts';
import type { AttestResult } from '../flows/attest.ts';
import type { BundleOutput } from '../flows/publish.ts';
import { err, type OutputFormat, out, outJson } from '../io.ts';
import { type AttestOutputArgs, attestOutputFrom, withAttestOutput } from '../options/attest-output.ts';
import { bundlesToSkip, locateModel } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type SignerArgs, signerFrom, withSigner } from '../options/signer.ts';

/**
 * `modelseal scan <path>`: identifies every file of a model by content and fails closed on anything
 * that could run code when loaded. A failed scan is a policy denial (exit 7), like `policy test`.
 * With --attest the verdict is signed, pass or fail, through the same flow as `attest`.
 */

interface ScanArgv extends OutputArgs, SignerArgs, AttestOutputArgs {
  path: string;
  profile: ProfileName;
  'predicate-out'?: string;
  attest: boolean;
}

/** the flags that only mean something when the scan is signed */
const SIGNING_FLAGS = [
  'key',
  'certificate-chain',
  'bundle',
  'store',
  'identity-token',
  'identity-token-file',
  'signing-config',
  'fulcio-url',
  'rekor-url',
  'timestamp-server-url',
] as const;

export interface ScanCliOptions {
  readonly path: string;
  readonly profile: ProfileName;
  readonly output: OutputFormat;
  /** where to write the scan-result predicate, for `modelseal attest --predicate` */
  readonly predicateOut?: string;
  /** sign the scan-result predicate about the model's OMS subject digest (`--attest`) */
  readonly attest?: { readonly signer: SignerConfig; readonly write: BundleOutput };
}

export interface ScanCliResult {
  readonly options: ScanCliOptions;
  readonly modelName: string;
  /** the OMS subject digest of the files scanned: what `sign` would sign */
  readonly subject: string;
  readonly profileDigest: string;
  readonly files: readonly FileReport[];
  readonly attested?: AttestResult;
}

export async function toOptions(a: ArgumentsCamelCase<ScanArgv>): Promise<ScanCliOptions> {
  const attest = a.attest ? { signer: await signerFrom(a), write: await attestOutputFrom(a) } : undefined;
  return Object.freeze({
    path: a.path,
    profile: a.profile,
    output: a.output,
    ...(a['predicate-out'] ? { predicateOut: a['predicate-out'] } : {}),
    ...(attest ? { attest } : {}),
  });
}

export async function run(o: ScanCliOptions): Promise<ScanCliResult> {
  const [
    { hashModel },
    { getProfile, profileDigest, scanFile },
    { openFileReader, tensorDataClaims },
    { join },
  ] = await Promise.all([
    import('@modelseal/hashing'),
    import('@modelseal/scan'),
    import('@modelseal/scan/fs'),
    import('node:path'),
  ]);
  // The files scanned are exactly the files a signature covers (the bundle skipped as sign skips it).
  const manifest = await hashModel(o.path, {
    serialization: { method: 'files', hashType: 'sha256', allowSymlinks: true, ignorePaths: [] },
    extraIgnore: bundlesToSkip(locateModel(o.path, undefined)),
  });
  const profile = getProfile(o.profile);
  const pathOf = (name: string) => (name === '.' ? o.path : join(o.path, name));
  // TF checkpoint data shards have no magic bytes: they are accepted as the tensor bytes their index locates
  const tensorData = tensorDataClaims(
    manifest.resources.map((res) => res.name),
    pathOf,
  );
  const files = manifest.resources.map((res) => {
    const file = pathOf(res.name);
    const shown = res.name === '.' ? manifest.modelName : res.name;
    let reader: ReturnType<typeof openFileReader> | undefined;
    try {
      reader = openFileReader(file);
      const claim = tensorData.get(res.name);
      return scanFile(shown, reader, {
        profile,
        sha256: res.digest,
        ...(claim ? { tensorData: claim } : {}),
      });
    } catch (e) {
      return unreadable(shown, res.digest, e);
    } finally {
      reader?.close();
    }
  });
  const result = {
    options: o,
    modelName: manifest.modelName,
    subject: manifest.subjectDigest,
    profileDigest: profileDigest(profile),
    files,
  };
  if (!o.predicateOut && !o.attest) return result;
  const predicate = await scanPredicate(result);
  if (o.predicateOut) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(o.predicateOut, `${JSON.stringify(predicate, null, 2)}\n`);
  }
  return o.attest ? { ...result, attested: await attestScan(o.attest, result, predicate) } : result;
}

/** The predicate `modelseal attest --type scan --predicate FILE` signs (schema in packages/scan). */
async function scanPredicate(r: ScanCliResult): Promise<ScanPredicate> {
  const { getProfile, scanStatement } = await import('@modelseal/scan');
  return scanStatement({
    subject: [{ name: r.modelName, digest: { sha256: r.subject } }],
    profile: getProfile(r.options.profile),
    files: r.files,
    scannedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }).predicate;
}

/**
 * The subject is the OMS subject digest of the files scanned, the digest `sign` signs, so one
 * policy can require the signature and a passing scan of the same bytes. A failed scan is signed
 * too: it is a true statement, and a policy that asks for `verdict == "pass"` denies it by name.
 */
async function attestScan(
  a: NonNullable<ScanCliOptions['attest']>,
  r: ScanCliResult,
  predicate: ScanPredicate,
): Promise<AttestResult> {
  const [{ runAttest }, { PREDICATES }] = await Promise.all([
    import('../flows/attest.ts'),
    import('@modelseal/attest'),
  ]);
  return runAttest({
    target: { kind: 'ref', ref: `${r.modelName}@sha256:${r.subject}` },
    predicate: PREDICATES.scan,
    predicateValue: { ...predicate },
    externalParameters: [],
    datasets: [],
    baseModels: [],
    signer: a.signer,
    write: a.write,
    env: {},
  });
}

function unreadable(path: string, sha256: string, e: unknown): FileReport {
  return {
    path,
    size: 0,
    sha256,
    format: 'unknown',
    verdict: 'fail',
    findings: [{ code: 'READ_ERROR', message: `could not be opened: ${(e as Error)?.message ?? String(e)}` }],
    findingsDropped: 0,
    globals: [],
    members: [],
    bytesRead: 0,
  };
}

export function toJson(r: ScanCliResult): Record<string, unknown> {
  const failed = r.files.filter((f) => f.verdict === 'fail').length;
  return {
    verdict: failed === 0 ? 'pass' : 'fail',
    model: { name: r.modelName, digest: { sha256: r.subject } },
    profile: { name: r.options.profile, digest: { sha256: r.profileDigest } },
    files: r.files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      size: f.size,
      format: f.format,
      verdict: f.verdict,
      findings: f.findings,
      ...(f.findingsDropped > 0 ? { findingsDropped: f.findingsDropped } : {}),
      globals: f.globals,
    })),
    ...(r.attested
      ? {
          attestation: {
            predicateType: r.attested.predicateType,
            ...(r.attested.bundlePath ? { bundle: r.attested.bundlePath } : {}),
            ...(r.attested.storePath ? { store: r.attested.storePath } : {}),
          },
        }
      : {}),
  };
}

export function render(r: ScanCliResult): void {
  const failed = r.files.filter((f) => f.verdict === 'fail');
  if (r.options.output === 'json') outJson(toJson(r));
  else {
    const lines: string[] = [];
    for (const f of r.files) {
      lines.push(
        `${f.verdict === 'pass' ? 'PASS' : 'FAIL'}  ${f.format.padEnd(14)}  sha256:${f.sha256}  ${f.path}`,
      );
      for (const x of f.findings) {
        const where = x.member !== undefined ? ` [${x.member}]` : '';
        lines.push(`      ${x.code}${where}: ${x.message}`);
      }
      if (f.findingsDropped > 0) lines.push(`      ... and ${f.findingsDropped} more findings`);
    }
    out(lines.join('\n'));
  }
  err(
    `scan: ${r.files.length} files, ${failed.length} failed (profile ${r.options.profile}, sha256:${r.profileDigest.slice(0, 12)})`,
  );
  if (r.attested) {
    err(
      `attested the ${failed.length > 0 ? 'failed' : 'passing'} scan of ${r.modelName} (sha256:${r.subject})`,
    );
    if (r.attested.bundlePath) err(`  bundle: ${r.attested.bundlePath}`);
    if (r.attested.storePath) err(`  store:  ${r.attested.storePath}`);
  }
  if (failed.length > 0) process.exitCode = EXIT_CODES.policy;
}

export const scanCommand: CommandModule<object, ScanArgv> = {
  command: 'scan <path>',
  describe:
    'vet a model before it runs: identify every file by content and reject anything that can run code',
  builder: (y: Argv) =>
    withAttestOutput(withSigner(withOutput(y)))
      .positional('path', { type: 'string', demandOption: true, describe: 'model directory or file' })
      .option('profile', {
        choices: ['weights-only', 'ml'] as const,
        default: 'weights-only' as const,
        describe: "allowlist: PyTorch's weights_only globals, or a wider list where each entry is justified",
      })
      .option('predicate-out', {
        type: 'string',
        describe: 'also write the scan-result predicate (sign it with `attest --type scan --predicate FILE`)',
      })
      .option('attest', {
        type: 'boolean',
        default: false,
        describe:
          'sign the scan result (https://modelseal.dev/scan-result/v1) about the model digest, as `attest` signs: --key, or keyless',
      })
      .check((a) => {
        const given = SIGNING_FLAGS.filter((f) => a[f] !== undefined);
        if (!a['attest'] && given.length > 0)
          throw new UsageError({
            code: 'ATTEST_REQUIRED',
            message: `--${given[0]} signs the scan: add --attest`,
          });
        return true;
      }),
  handler: async (argv) => {
    render(await run(await toOptions(argv)));
  },
};
