import type { HashOptions, HashType, Manifest, Serialization } from '@modelseal/manifest';
import type { Argv, CommandModule } from 'yargs';
import { err, type OutputFormat, out, outJson, progressReporter } from '../io.ts';

/** `modelseal digest`: the OMS manifest of a model, exactly as `sign` would record it. */

interface DigestArgv {
  path: string;
  serialization: 'files' | 'shards';
  'shard-size'?: string;
  hash: HashType;
  'ignore-paths': string[];
  'allow-symlinks': boolean;
  'ignore-git-paths': boolean;
  workers?: number;
  output: OutputFormat;
  stats: boolean;
}

export interface DigestOptions {
  readonly path: string;
  readonly hash: HashOptions;
  readonly output: OutputFormat;
  readonly stats: boolean;
  readonly requestedShards: boolean;
}

export interface DigestResult {
  readonly manifest: Manifest;
  readonly subject: string;
  readonly options: DigestOptions;
  readonly wallMs: number;
}

export async function toOptions(a: DigestArgv): Promise<DigestOptions> {
  const { UsageError } = await import('@modelseal/core');
  const { DEFAULT_SHARD_SIZE } = await import('@modelseal/manifest');
  if (a['shard-size'] !== undefined && a.serialization !== 'shards') {
    throw new UsageError({
      code: 'SHARD_SIZE_WITHOUT_SHARDS',
      message: '--shard-size only applies with --serialization shards',
    });
  }
  const shardSize =
    a['shard-size'] === undefined ? DEFAULT_SHARD_SIZE : parseShardSize(a['shard-size'], UsageError);
  const common = { hashType: a.hash, allowSymlinks: a['allow-symlinks'], ignorePaths: a['ignore-paths'] };
  const serialization: Serialization =
    a.serialization === 'shards'
      ? { method: 'shards', ...common, shardSize }
      : { method: 'files', ...common };
  return Object.freeze({
    path: a.path,
    hash: {
      serialization,
      ignoreGitPaths: a['ignore-git-paths'],
      concurrency: a.workers,
    },
    output: a.output,
    stats: a.stats,
    requestedShards: a.serialization === 'shards',
  });
}

function parseShardSize(s: string, E: typeof import('@modelseal/core').UsageError): number {
  const n = /^[1-9]\d*$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new E({
      code: 'BAD_SHARD_SIZE',
      message: `--shard-size must be a positive whole number of bytes, got "${s}"`,
    });
  }
  return n;
}

export async function run(o: DigestOptions): Promise<DigestResult> {
  const { hashModel, subjectDigest } = await import('@modelseal/manifest');
  const started = performance.now();
  const bar = progressReporter('hashing');
  try {
    const manifest = await hashModel(o.path, {
      ...o.hash,
      onProgress: process.stderr.isTTY ? bar.update : undefined,
    });
    return { manifest, subject: subjectDigest(manifest), options: o, wallMs: performance.now() - started };
  } finally {
    bar.end();
  }
}

/** The JSON shape uses OMS field names, so it can be compared with a signed predicate directly. */
export function toJson(r: Pick<DigestResult, 'manifest' | 'subject'>): Record<string, unknown> {
  const s = r.manifest.serialization;
  return {
    name: r.manifest.modelName,
    digest: { sha256: r.subject },
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
  if (r.options.requestedShards && r.manifest.serialization.method === 'files') {
    err('note: blake3 hashes whole files (as model_signing does), so --serialization shards has no effect');
  }
  if (r.options.output === 'json') outJson(toJson(r));
  else {
    const lines = [`sha256:${r.subject}  ${quote(r.manifest.modelName)}`];
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
    y
      .positional('path', { type: 'string', demandOption: true, describe: 'model directory or file' })
      .option('serialization', {
        choices: ['files', 'shards'] as const,
        default: 'files' as const,
        describe: 'one digest per file, or per shard of each file',
      })
      .option('shard-size', {
        type: 'string',
        describe: 'shard size in bytes with --serialization shards (default 1000000000)',
      })
      .option('hash', {
        choices: ['sha256', 'blake2b', 'blake3'] as const,
        default: 'sha256' as const,
        describe: 'hash for each resource',
      })
      .option('ignore-paths', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'paths relative to the model to leave out (a directory leaves out all below it)',
      })
      .option('allow-symlinks', {
        type: 'boolean',
        default: false,
        describe: 'hash symlinks as their targets (targets must stay inside the model)',
      })
      .option('ignore-git-paths', {
        type: 'boolean',
        default: true,
        describe:
          'leave out .git, .gitattributes, .github, .gitignore at the root (--no-ignore-git-paths to include)',
      })
      .option('workers', { type: 'number', describe: 'hashing threads (default: min(2, CPUs))' })
      .option('output', {
        alias: 'o',
        choices: ['text', 'json'] as const,
        default: 'text' as const,
        describe: 'text: one line per resource; json: the manifest',
      })
      .option('stats', { type: 'boolean', default: false, hidden: true }) as unknown as Argv<DigestArgv>,
  handler: async (argv) => {
    const options = await toOptions(argv);
    render(await run(options));
  },
};
