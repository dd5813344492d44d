/** Setup for bench/webhook.bench.ts, kept here so it resolves the workspace packages it needs. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { directoryStore } from '@modelseal/store';
import { stringify } from 'yaml';
import { OMS, policyDoc, testSigner } from '../../packages/admission/test/signing.ts';

/** A directory store with one key-signed OMS bundle per digest, and a policy file trusting the key. */
export async function signedStoreAndPolicy(dir: string, digests: readonly string[]) {
  const signer = testSigner();
  const store = directoryStore(join(dir, 'store'));
  for (const d of digests) await store.put(d, OMS, await signer.attest(d));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, stringify(policyDoc('bench', { 'release-key': signer })));
  return { storeDir: join(dir, 'store'), policyFile };
}
