import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HashOptions } from '@modelseal/hashing';
import type { Manifest } from '@modelseal/manifest';
import type { Argv, CommandModule } from 'yargs';
import { LOADED_FROM } from '../cli-bundle.ts';
import { err, type OutputFormat, out, outJson, progressReporter } from '../io.ts';
import { bundlesToSkip, locateModel, presentDefaultBundle } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';
import { type SerializationArgs, serializationFrom, withSerialization } from '../options/serialization.ts';

/** `modelseal digest`: the OMS manifest of a model, exactly as `sign` would record it. */

interface DigestArgv extends SerializationArgs, OutputArgs, RegistryArgs {
  path: string;
  workers?: number;
  stats: boolean;
}

export interface DigestOptions {
  readonly path: string;
  readonly hash: HashOptions;
  readonly output: OutputFormat;
  readonly stats: boolean;
  readonly requestedShards: boolean;
  /** the signature bundle found in the model and left out, as `sign` leaves it out */
  readonly skippedBundle: string | undefined;
}

export interface DigestResult {
  readonly manifest: Manifest;
  readonly options: DigestOptions;
  readonly wallMs: number;
  readonly engine: 'native-batch' | 'threads';
}

export async function toOptions(a: DigestArgv): Promise<DigestOptions> {
  const serialization = await serializationFrom(a, existsSync(a.path) ? a.path : undefined);
  // a missing path is reported by hashModel, with its own code
  const location = existsSync(a.path) ? locateModel(a.path, undefined) : undefined;
  const present = location && presentDefaultBundle(location);
  // an explicit --ignore-paths model.sig needs no note
  const named = serialization.ignorePaths.some((p) => resolve(a.path, p) === present);
  return Object.freeze({
    path: a.path,
    hash: {
      serialization,
      extraIgnore: location ? bundlesToSkip(location) : [],
      ignoreGitPaths: a['ignore-git-paths'],
      concurrency: a.workers,
    },
    output: a.output,
    stats: a.stats,
    requestedShards: a.serialization === 'shards',
    skippedBundle: named ? undefined : present,
  });
}

export async function run(o: DigestOptions): Promise<DigestResult> {
  const { hashModel, hashingEngine } = await import('@modelseal/hashing');
  // process.hrtime, not performance.now(): the `performance` global loads ten modules (~1 ms)
  const started = process.hrtime.bigint();
  const bar = progressReporter('hashing');
  try {
    const manifest = await hashModel(o.path, {
      ...o.hash,
      onProgress: process.stderr.isTTY ? bar.update : undefined,
      onNote: err,
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    return { manifest, options: o, wallMs, engine: await hashingEngine(manifest.serialization.hashType) };
  } finally {
    bar.end();
  }
}

/** The JSON shape uses OMS field names, so it can be compared with a signed predicate directly. */
export function toJson(r: Pick<DigestResult, 'manifest'>): Record<string, unknown> {
  const s = r.manifest.serialization;
  return {
    name: r.manifest.modelName,
    digest: { sha256: r.manifest.subjectDigest },
    serialization: {
      method: s.method,
      hash_type: s.hashType,
      allow_symlinks: s.allowSymlinks,
      ...(s.method === 'shards' ? { shard_size: s.shardSize } : {}),
      ignore_paths: s.ignorePaths,
    },
    resources: r.manifest.resources.map((x) => ({ name: x.name, algorithm: x.algorithm, digest: x.digest })),
  };
}

export function render(r: DigestResult): void {
  if (r.options.skippedBundle) {
    err(`note: skipped the signature bundle ${r.options.skippedBundle}, as sign and verify do`);
  }
  if (r.options.requestedShards && r.manifest.serialization.method === 'files') {
    err('note: blake3 hashes whole files (as model_signing does), so --serialization shards has no effect');
  }
  if (r.options.output === 'json') outJson(toJson(r));
  else {
    const lines = [`sha256:${r.manifest.subjectDigest}  ${quote(r.manifest.modelName)}`];
    for (const x of r.manifest.resources) lines.push(`${x.algorithm}:${x.digest}  ${quote(x.name)}`);
    out(lines.join('\n'));
  }
  if (r.options.stats) {
    err(
      JSON.stringify({
        stats: {
          wallMs: Math.round(r.wallMs),
          maxRssKiB: process.resourceUsage().maxRSS,
          cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
          resources: r.manifest.resources.length,
          // which engine hashed: the bench and the tests read it
          hashing: r.engine,
          // the bundle or the sources (bin.ts notes it): a stale bundle makes start-up slower
          cli: (globalThis as Record<symbol, unknown>)[LOADED_FROM] ?? 'sources',
          // the Node flags bin/modelseal starts the CLI with (a heap flag only works there)
          nodeFlags: process.execArgv,
        },
      }),
    );
  }
}

/** One line per resource: names with control characters or a leading quote are printed as JSON strings. */
const quote = (name: string) => (/[\u0000-\u001f\u007f"\\]/.test(name) ? JSON.stringify(name) : name);

export const digestCommand: CommandModule<object, DigestArgv> = {
  command: 'digest <path>',
  describe: 'hash a model or dataset (directory or single file) into its OMS manifest and print it',
  builder: (y: Argv) =>
    withRegistry(withSerialization(withOutput(y)))
      .positional('path', {
        type: 'string',
        demandOption: true,
        describe:
          'model directory or file, or an OCI reference (registry/repo:tag, oci://…; see docs/oci.md)',
      })
      .option('workers', { type: 'number', describe: 'hashing threads (default: min(2, CPUs))' })
      .option('stats', { type: 'boolean', default: false, hidden: true }) as Argv<DigestArgv>,
  handler: async (argv) => {
    const target = await (await import('../options/target.ts')).classifyTarget(argv.path);
    if (target.kind === 'oci') return (await import('./reference.ts')).digestByReference(target.ref, argv);
    const options = await toOptions(argv);
    render(await run(options));
  },
};
