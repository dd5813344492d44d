import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { policyDoc, type TestSigner, testEngine, testSigner } from '../../packages/admission/test/signing.ts';
import { watchPolicyFiles } from '../src/policy-files.ts';

let dir: string;
let signer: TestSigner;
const file = (name: string, docs: unknown[]) => {
  writeFileSync(join(dir, name), docs.map((d) => stringify(d)).join('---\n'));
  return join(dir, name);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-policy-files-'));
  signer = testSigner();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--policy-file as a live source', () => {
  it('a watched policy file reloads on change and keeps the last good version on a bad edit', async () => {
    const path = file('live.yaml', [policyDoc('v1', { k: signer })]);
    const logs: string[] = [];
    const src = watchPolicyFiles(path, testEngine, (_l, msg) => logs.push(msg), 50);
    try {
      expect(src.current().map((p) => p.policy.name)).toEqual(['v1']);
      await new Promise((r) => setTimeout(r, 20));
      file('live.yaml', [policyDoc('v2', { k: signer }), policyDoc('v2b', { k: signer })]);
      await until(() => src.current().length === 2);
      expect(src.current().map((p) => p.policy.name)).toEqual(['v2', 'v2b']);
      writeFileSync(path, 'spec: [broken\n');
      await until(() => logs.includes('policy reload failed; keeping the previous policies'));
      expect(src.current().map((p) => p.policy.name)).toEqual(['v2', 'v2b']);
    } finally {
      src.close();
    }
  });
});

async function until(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(cond()).toBe(true);
}
