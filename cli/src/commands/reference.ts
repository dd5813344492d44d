/**
 * `sign`, `verify` and `digest` when the positional is an OCI reference (options/target.ts says
 * when it is): each is toOptions -> run -> render, like the path commands it stands in for.
 */
import { isModelsealError } from '@modelseal/core';
import type { Reference } from '@modelseal/oci';
import { artifactJson, artifactManifest, resolveArtifact } from '../flows/artifact.ts';
import { err, type OutputFormat, out, outJson } from '../io.ts';
import type { OutputArgs } from '../options/output.ts';
import { type RegistryArgs, registryFrom } from '../options/registry.ts';
import { type SignerArgs, signerFrom } from '../options/signer.ts';
import { resolveTrust, type TrustArgs } from '../options/trust.ts';
import { toJson as manifestJson } from './digest.ts';

type Common = OutputArgs & Partial<RegistryArgs> & { bundle?: string; store?: string };

export async function signByReference(ref: Reference, argv: Common & SignerArgs): Promise<void> {
  const { signReference } = await import('../flows/sign-reference.ts');
  const r = await signReference({
    ref,
    signer: await signerFrom(argv),
    registry: await registryFrom(argv),
    ...(argv.bundle !== undefined ? { bundlePath: argv.bundle } : {}),
    ...(argv.store !== undefined ? { store: argv.store } : {}),
  });
  if (argv.output === 'json') {
    outJson({
      ok: true,
      artifact: artifactJson(r.artifact),
      ...(r.bundlePath ? { bundle: r.bundlePath } : {}),
      ...(r.storePath ? { store: r.storePath } : {}),
      subject: r.statement.subject[0],
      predicateType: r.statement.predicateType,
      resources: r.resources,
    });
    return;
  }
  err(`Signed ${r.resources} file(s) of ${r.artifact.name} (${r.artifact.digest}) from its layer digests`);
  if (r.storePath) err(`  store:  ${r.storePath}`);
  if (r.bundlePath) err(`  bundle: ${r.bundlePath}`);
}

export async function verifyByReference(ref: Reference, argv: Common & TrustArgs): Promise<void> {
  const { verifyReference } = await import('../flows/verify-reference.ts');
  const output: OutputFormat = argv.output;
  try {
    const r = await verifyReference({
      ref,
      ...resolveTrust(argv),
      registry: await registryFrom(argv),
      ...(argv.bundle !== undefined ? { bundlePath: argv.bundle } : {}),
      ...(argv.store !== undefined ? { store: argv.store } : {}),
    });
    err(
      `Verification succeeded: ${r.artifact.pinned} (${r.resources} files) signed by ${r.signedBy} (${r.source})`,
    );
    if (output === 'json') {
      outJson({
        ok: true,
        artifact: artifactJson(r.artifact),
        bundle: r.source,
        bundleDigest: r.verified.bundleDigest,
        signer: r.verified.signer,
        predicateType: r.verified.statement.predicateType,
        subject: r.verified.statement.subject,
        resources: r.resources,
      });
    }
  } catch (e) {
    if (isModelsealError(e) && e.kind !== 'usage') err('Verification failed');
    throw e;
  }
}

export async function digestByReference(ref: Reference, argv: Common): Promise<void> {
  const artifact = await resolveArtifact(ref, await registryFrom(argv));
  const { manifest } = await artifactManifest(artifact);
  if (argv.output === 'json') {
    outJson({ ...manifestJson({ manifest }), artifact: artifactJson(artifact) });
    return;
  }
  err(
    `${artifact.name}: manifest ${artifact.digest}; OMS manifest from its layer digests (nothing downloaded)`,
  );
  const lines = [`sha256:${manifest.subjectDigest}  ${manifest.modelName}`];
  for (const x of manifest.resources) lines.push(`${x.algorithm}:${x.digest}  ${quote(x.name)}`);
  out(lines.join('\n'));
}

/** as `digest` prints names: JSON strings only where a name has control characters or quotes */
const quote = (name: string) => (/[\u0000-\u001f\u007f"\\]/.test(name) ? JSON.stringify(name) : name);
