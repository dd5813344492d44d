import type { AdmissionPolicy, Checker } from '@modelseal/admission';
import { readUserFile } from '../options/files.ts';
import { type RegistryArgs, registryFrom } from '../options/registry.ts';
import { cliStore } from '../options/store.ts';

export interface OfflineAdmissionOptions {
  readonly manifest: string;
  readonly policy: string;
  readonly store: string | undefined;
  readonly trustedRoot: string | undefined;
  /** how to reach a registry when the store is `oci://…` */
  readonly registry?: Partial<RegistryArgs>;
}

/** multi-document exports of a whole namespace stay far below this */
const MAX_MANIFEST = 16 << 20;

/**
 * The webhook's engine set up from files, as its main does: the root first, then policies parsed
 * with it, the manifests, and a checker over the store (a directory or a registry). Shared by `policy test` and
 * `inventory`, so both give the verdict the cluster would give.
 */
export async function offlineAdmission(o: OfflineAdmissionOptions): Promise<{
  docs: unknown[];
  policies: AdmissionPolicy[];
  checker: Checker;
}> {
  const admission = await import('@modelseal/admission');
  const { loadPolicyFiles } = await import('@modelseal/admission/load');
  const { loadTrustedRoot } = await import('@modelseal/verify/load');
  const engine = admission.createEngine({
    defaultTrustedRoot: loadTrustedRoot(o.trustedRoot, '--trusted-root'),
  });
  const policies = loadPolicyFiles(o.policy, engine);
  const docs = admission.parseYamlDocuments(
    readUserFile(o.manifest, 'manifest', '<manifest>', MAX_MANIFEST),
    o.manifest,
  );
  const store =
    o.store === undefined
      ? { find: async () => [] }
      : await cliStore(o.store, await registryFrom(o.registry ?? {}));
  const checker = admission.createChecker({ store, verify: admission.realVerify, engine, now: Date.now });
  return { docs, policies, checker };
}
