import type { FileReport, ProfileName } from '@modelseal/scan';
import type { Argv, CommandModule } from 'yargs';
import { EXIT_CODES } from '../exit.ts';
import { err, type OutputFormat, out, outJson } from '../io.ts';
import { bundlesToSkip, locateModel } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';

/**
 * `modelseal scan <path>`: identifies every file of a model by content and fails closed on anything
 * that could run code when loaded. A failed scan is a policy denial (exit 7), like `policy test`.
 */

interface ScanArgv extends OutputArgs {
  path: string;
  profile: ProfileName;
  'predicate-out'?: string;
}

export interface ScanCliOptions {
  readonly path: string;
  readonly profile: ProfileName;
  readonly output: OutputFormat;
  /** where to write the scan-result predicate, for `modelseal attest --predicate` */
  readonly predicateOut?: string;
}

export interface ScanCliResult {
  readonly options: ScanCliOptions;
  readonly modelName: string;
  /** the OMS subject digest of the files scanned: what `sign` would sign */
  readonly subject: string;
  readonly profileDigest: string;
  readonly files: readonly FileReport[];
}

export function toOptions(a: ScanArgv): ScanCliOptions {
  return Object.freeze({
    path: a.path,
    profile: a.profile,
    output: a.output,
    ...(a['predicate-out'] ? { predicateOut: a['predicate-out'] } : {}),
  });
}

export async function run(o: ScanCliOptions): Promise<ScanCliResult> {
  const [{ hashModel }, { getProfile, profileDigest, scanFile }, { openFileReader }, { join }] =
    await Promise.all([
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
  const files = manifest.resources.map((res) => {
    const file = res.name === '.' ? o.path : join(o.path, res.name);
    const shown = res.name === '.' ? manifest.modelName : res.name;
    let reader: ReturnType<typeof openFileReader> | undefined;
    try {
      reader = openFileReader(file);
      return scanFile(shown, reader, { profile, sha256: res.digest });
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
  if (o.predicateOut) await writePredicate(result, o.predicateOut);
  return result;
}

/** The predicate `modelseal attest --type scan-result --predicate FILE` signs (schema in packages/scan). */
async function writePredicate(r: ScanCliResult, file: string): Promise<void> {
  const [{ getProfile, scanStatement }, { writeFileSync }] = await Promise.all([
    import('@modelseal/scan'),
    import('node:fs'),
  ]);
  const statement = scanStatement({
    subject: [{ name: r.modelName, digest: { sha256: r.subject } }],
    profile: getProfile(r.options.profile),
    files: r.files,
    scannedAt: new Date().toISOString(),
  });
  writeFileSync(file, `${JSON.stringify(statement.predicate, null, 2)}\n`);
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
  if (failed.length > 0) process.exitCode = EXIT_CODES.policy;
}

export const scanCommand: CommandModule<object, ScanArgv> = {
  command: 'scan <path>',
  describe:
    'vet a model before it runs: identify every file by content and reject anything that can run code',
  builder: (y: Argv) =>
    withOutput(y)
      .positional('path', { type: 'string', demandOption: true, describe: 'model directory or file' })
      .option('profile', {
        choices: ['weights-only', 'ml'] as const,
        default: 'weights-only' as const,
        describe: "allowlist: PyTorch's weights_only globals, or a wider list where each entry is justified",
      })
      .option('predicate-out', {
        type: 'string',
        describe:
          'also write the scan-result predicate (sign it with `attest --type <its URI> --predicate FILE`)',
      }),
  handler: async (argv) => {
    render(await run(toOptions(argv)));
  },
};
