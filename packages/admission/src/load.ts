/**
 * `@modelseal/admission/load`: policy files from disk, for the edges (`policy test`, the webhook's
 * file watcher). The one module of the engine that reads files, so it is not in the main entry.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@modelseal/core';
import type { PolicyEngine } from './contract.ts';
import { MAX_POLICY_FILE, parseYamlDocuments, toAdmissionPolicy } from './policies.ts';
import type { AdmissionPolicy } from './settings.ts';

/** --policy-file: a file, or a directory of *.yaml / *.yml / *.json files. */
export function loadPolicyFiles(path: string, engine: Pick<PolicyEngine, 'parsePolicy'>): AdmissionPolicy[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith('.'))
          .sort()
          .map((f) => join(path, f))
      : [path];
  } catch (e) {
    throw new InputError({
      code: 'POLICY_FILE_UNREADABLE',
      message: `cannot read --policy-file ${path}: ${(e as Error).message}`,
    });
  }
  const out: AdmissionPolicy[] = [];
  for (const f of files) {
    const size = statSync(f).size;
    if (size > MAX_POLICY_FILE) {
      throw new InputError({
        code: 'POLICY_FILE_TOO_LARGE',
        message: `${f} is ${size} bytes, over ${MAX_POLICY_FILE}`,
      });
    }
    parseYamlDocuments(readFileSync(f, 'utf8'), f).forEach((doc, i) => {
      out.push(toAdmissionPolicy(doc, `${f}#${i + 1}`, engine));
    });
  }
  if (out.length === 0) {
    throw new InputError({
      code: 'POLICY_FILE_EMPTY',
      message: `--policy-file ${path} holds no ClusterModelPolicy or ModelPolicy`,
    });
  }
  return out;
}
