import type { Argv, CommandModule } from 'yargs';
import type { VerifyDigestOptions, VerifyDigestResult } from '../flows/verify-digest.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type SerializationArgs, serializationFrom, withSerialization } from '../options/serialization.ts';

/**
 * `modelseal verify-digest DIR --digest sha256:<hex>`: do these bytes have this OMS digest? No
 * signature is looked at (the admission decision did that); the serialization is given
 * explicitly, as the admitting attestation signed it. The verifier init container runs this.
 */
interface Args extends SerializationArgs, OutputArgs {
  path: string;
  digest: string;
  'manifest-from'?: string;
  'manifest-env'?: string;
  'termination-log'?: string;
  label?: string;
  workers?: number;
}

interface Options extends VerifyDigestOptions {
  readonly output: OutputFormat;
}

async function toOptions(a: Args): Promise<Options> {
  const { UsageError } = await import('@modelseal/core');
  const { checkDigestFlag } = await import('../flows/verify-digest.ts');
  if (a['manifest-from'] !== undefined && a['manifest-env'] !== undefined) {
    throw new UsageError({
      code: 'MANIFEST_SOURCE_CONFLICT',
      message: 'give --manifest-from or --manifest-env, not both',
    });
  }
  const env = a['manifest-env'];
  return Object.freeze({
    path: a.path,
    digest: checkDigestFlag(a.digest),
    hash: {
      // the webhook's own protocol: ignore paths are relative to the model, never the current directory
      serialization: await serializationFrom(a),
      ignoreGitPaths: a['ignore-git-paths'],
      ...(a.workers !== undefined ? { concurrency: a.workers } : {}),
    },
    ...(a['manifest-from'] !== undefined
      ? { manifest: { kind: 'file' as const, path: a['manifest-from'] } }
      : {}),
    ...(env !== undefined ? { manifest: { kind: 'env' as const, name: env, value: process.env[env] } } : {}),
    ...(a['termination-log'] !== undefined ? { terminationLog: a['termination-log'] } : {}),
    ...(a.label !== undefined ? { label: a.label } : {}),
    output: a.output,
  });
}

async function run(o: Options): Promise<VerifyDigestResult> {
  const { verifyDigest } = await import('../flows/verify-digest.ts');
  try {
    return await verifyDigest(o);
  } catch (e) {
    err('Verification failed');
    throw e;
  }
}

function render(r: VerifyDigestResult, o: Options): void {
  const where = o.label ? `volume ${o.label} at ${o.path}` : o.path;
  err(
    `Verification succeeded: ${where} holds ${r.digest} (${r.resources} resources, ${Math.round(r.wallMs)} ms)`,
  );
  if (o.output === 'json') outJson({ ok: true, path: o.path, digest: r.digest, resources: r.resources });
}

export const verifyDigestCommand: CommandModule<object, Args> = {
  command: 'verify-digest <path>',
  describe:
    'check that a model directory still has a given OMS digest (the start-up check), naming what differs',
  builder: (y: Argv) =>
    withSerialization(withOutput(y))
      .positional('path', {
        type: 'string',
        demandOption: true,
        describe: 'model directory or file (read only)',
      })
      .option('digest', {
        type: 'string',
        demandOption: true,
        describe: 'the admitted OMS subject digest, sha256:<hex>',
      })
      .option('manifest-from', {
        type: 'string',
        describe:
          'bundle, statement or OMS predicate ({serialization, resources}) of that digest, to name changed/missing/extra files',
      })
      .option('manifest-env', {
        type: 'string',
        describe: 'like --manifest-from, from the named environment variable (how /mutate passes it)',
      })
      .option('termination-log', {
        type: 'string',
        describe: 'also write the verdict there (Kubernetes: /dev/termination-log)',
      })
      .option('label', { type: 'string', describe: 'a name for the model in messages (the volume name)' })
      .option('workers', {
        type: 'number',
        describe: 'hashing threads (default: min(2, CPUs))',
      }) as Argv<Args>,
  handler: async (argv) => {
    const o = await toOptions(argv);
    render(await run(o), o);
  },
};
