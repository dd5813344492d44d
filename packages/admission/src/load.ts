/**
 * `@modelseal/admission/load`: policy files from disk, for the edges (`policy test`, the webhook's
 * file watcher). The one module of the engine that reads files, so it is not in the main entry.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@modelseal/core';
import { readUserBytes } from '@modelseal/input';
import type { PolicyEngine } from './contract.ts';
import { MAX_POLICY_FILE, parseYamlDocuments, toAdmissionPolicy } from './policies.ts';
import type { AdmissionPolicy } from './settings.ts';

/** --policy-file: a file, or a directory of *.yaml / *.yml / *.json files. */
export function loadPolicyFiles(path: string, engine: Pick<PolicyEngine, 'parsePolicy'>): AdmissionPolicy[] {
  // anything but a directory goes to the one reader, which refuses missing paths, FIFOs and
  // oversized files with the same codes every command uses
  const isDir = statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  let files: string[] = [path];
  if (isDir) {
    try {
      files = readdirSync(path)
        .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith('.'))
        .sort()
        .map((f) => join(path, f));
    } catch (e) {
      throw new InputError({
        code: 'FILE_UNREADABLE',
        message: `cannot list policy directory ${path}: ${(e as Error).message}`,
      });
    }
  }
  const out: AdmissionPolicy[] = [];
  for (const f of files) {
    const text = new TextDecoder().decode(
      readUserBytes({ path: f, what: 'policy', maxBytes: MAX_POLICY_FILE }),
    );
    parseYamlDocuments(text, f).forEach((doc, i) => {
      out.push(toAdmissionPolicy(doc, `${f}#${i + 1}`, engine));
    });
  }
  if (out.length === 0) {
    throw new InputError({
      code: 'POLICY_FILE_EMPTY',
      message: `policy file ${path} holds no ClusterModelPolicy or ModelPolicy`,
    });
  }
  return out;
}
