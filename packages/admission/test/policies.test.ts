import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { codeOf as code } from '../../../test/codes.ts';
import { loadPolicyFiles } from '../src/load.ts';
import { parseYamlDocuments, toAdmissionPolicy } from '../src/policies.ts';
import { policyDoc, type TestSigner, testEngine, testSigner } from './signing.ts';

let dir: string;
let signer: TestSigner;
const file = (name: string, docs: unknown[]) => {
  writeFileSync(join(dir, name), docs.map((d) => stringify(d)).join('---\n'));
  return join(dir, name);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-policies-'));
  signer = testSigner();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('policy files', () => {
  it('loads multi-document files and directories; namespaced ModelPolicy keeps its namespace', () => {
    const sub = join(dir, 'd');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.yaml'), stringify(policyDoc('a', { k: signer })));
    writeFileSync(
      join(sub, 'b.yml'),
      `${stringify(policyDoc('b', { k: signer }, {}, 'ModelPolicy', 'ml'))}---\n${stringify(policyDoc('c', { k: signer }))}`,
    );
    writeFileSync(join(sub, 'notes.txt'), 'ignored');
    const ps = loadPolicyFiles(sub, testEngine);
    expect(ps.map((p) => `${p.policy.name}:${p.namespace ?? '*'}`)).toEqual(['a:*', 'b:ml', 'c:*']);
  });

  it('rejects hostile and malformed inputs with codes', () => {
    expect(code(() => loadPolicyFiles(join(dir, 'missing.yaml'), testEngine))).toBe('FILE_NOT_FOUND');
    expect(code(() => loadPolicyFiles(file('empty.yaml', []), testEngine))).toBe('POLICY_FILE_EMPTY');
    writeFileSync(join(dir, 'bad.yaml'), 'spec: [unclosed\n');
    expect(code(() => loadPolicyFiles(join(dir, 'bad.yaml'), testEngine))).toBe('YAML_MALFORMED');
    writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    expect(code(() => loadPolicyFiles(join(dir, 'big.yaml'), testEngine))).toBe('FILE_TOO_LARGE');
    const bomb =
      'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n';
    expect(code(() => parseYamlDocuments(bomb, 'bomb.yaml'))).toBe('YAML_UNSAFE');
    expect(
      code(() => toAdmissionPolicy({ ...policyDoc('x', { k: signer }), kind: 'Pod' }, 't', testEngine)),
    ).toBe('POLICY_KIND_INVALID');
    expect(
      code(() => toAdmissionPolicy(policyDoc('x', { k: signer }, {}, 'ModelPolicy'), 't', testEngine)),
    ).toBe('POLICY_NAMESPACE_MISSING');
    expect(
      code(() => toAdmissionPolicy(policyDoc('x', { k: signer }, { mode: 'loud' }), 't', testEngine)),
    ).toBe('POLICY_ADMISSION_INVALID');
  });
});
