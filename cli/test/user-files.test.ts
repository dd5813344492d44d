/**
 * Every command that reads a file the user named meets the same four bad files: missing, a FIFO
 * (which must never hang the CLI: each run is killed after a deadline), a directory, and one too
 * large for any cap (sparse, so it costs no disk). Each condition has one code and one exit code.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { cli } from './helpers.ts';
import { errorCode, inPool, runCli } from './keyless-helpers.ts';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-model', import.meta.url));
const CONF = `${SHARED_VECTORS}/sigstore-conformance`;
const GOOD_BLOB_BUNDLE = `${CONF}/bundle-verify/happy-path-v0.3/bundle.sigstore.json`;
const SUBJECT = `sha256:${'e'.repeat(64)}`;
const JWT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig';

let dir: string;
const p = (n: string) => join(dir, n);

const BAD = {
  missing: { file: () => p('does-not-exist.pem'), code: 'FILE_NOT_FOUND', exit: EXIT_CODES.not_found },
  fifo: { file: () => p('fifo'), code: 'NOT_A_FILE', exit: EXIT_CODES.input },
  directory: { file: () => p('a-directory'), code: 'NOT_A_FILE', exit: EXIT_CODES.input },
  oversized: { file: () => p('huge.bin'), code: 'FILE_TOO_LARGE', exit: EXIT_CODES.input },
} as const;
type Bad = keyof typeof BAD;

/** Each command line with the bad file in the one place it names a file. */
const USES: Record<string, (bad: string) => string[]> = {
  'sign --key': (f) => ['sign', p('model'), '--key', f],
  'sign --certificate-chain': (f) => ['sign', p('model'), '--key', p('k.key'), '--certificate-chain', f],
  'verify --key': (f) => ['verify', p('model'), '--key', f],
  'verify --bundle': (f) => ['verify', p('model'), '--key', p('k.pub'), '--bundle', f],
  'verify --certificate-chain': (f) => ['verify', p('model'), '--certificate-chain', f],
  'verify --trusted-root': (f) => [
    'verify',
    p('model'),
    '--certificate-identity',
    'a@b.c',
    '--certificate-oidc-issuer',
    'https://issuer.example',
    '--trusted-root',
    f,
  ],
  'inspect <bundle>': (f) => ['inspect', f],
  'sign-blob <file>': (f) => ['sign-blob', f, '--identity-token', JWT],
  'sign-blob --identity-token-file': (f) => ['sign-blob', p('blob.txt'), '--identity-token-file', f],
  'sign-blob --signing-config': (f) => [
    'sign-blob',
    p('blob.txt'),
    '--identity-token',
    JWT,
    '--signing-config',
    f,
  ],
  'verify-blob --bundle': (f) => ['verify-blob', SUBJECT, '--bundle', f, '--key', p('k.pub')],
  'verify-blob --key': (f) => ['verify-blob', SUBJECT, '--bundle', GOOD_BLOB_BUNDLE, '--key', f],
  'verify-blob --trusted-root': (f) => [
    'verify-blob',
    SUBJECT,
    '--bundle',
    GOOD_BLOB_BUNDLE,
    '--certificate-identity',
    'a@b.c',
    '--certificate-oidc-issuer',
    'https://issuer.example',
    '--trusted-root',
    f,
  ],
  'attest --key': (f) => ['attest', '--subject', `m@${SUBJECT}`, '--builder-id', 'https://ci', '--key', f],
  'attest --predicate': (f) => [
    'attest',
    '--subject',
    `m@${SUBJECT}`,
    '--type',
    'https://example.com/p/v1',
    '--predicate',
    f,
    '--key',
    p('k.key'),
    '--bundle',
    p('out.json'),
  ],
  'attest --spec': (f) => [
    'attest',
    '--subject',
    `m@${SUBJECT}`,
    '--type',
    'dataset',
    '--spec',
    f,
    '--key',
    p('k.key'),
    '--bundle',
    p('out.json'),
  ],
  'verify-attestation --policy': (f) => ['verify-attestation', SUBJECT, '--policy', f],
  'verify-attestation --key': (f) => ['verify-attestation', SUBJECT, '--key', f],
  'verify-attestation --bundle': (f) => [
    'verify-attestation',
    SUBJECT,
    '--key',
    p('k.pub'),
    '--store',
    p('store'),
    '--bundle',
    f,
  ],
  'policy test <manifest>': (f) => ['policy', 'test', f, '--policy', p('policy.yaml')],
  'policy test --trusted-root': (f) => [
    'policy',
    'test',
    p('pods.yaml'),
    '--policy',
    p('policy.yaml'),
    '--trusted-root',
    f,
  ],
};

/** A directory is a valid --policy (a folder of policy files), so it meets the other three. */
const POLICY_DIR_OK: Record<string, (bad: string) => string[]> = {
  'policy test --policy': (f) => ['policy', 'test', p('pods.yaml'), '--policy', f],
};

/** Files whose check happens after the artifact is read: the artifact itself has no size cap. */
const ARTIFACT: Record<string, (bad: string) => string[]> = {
  'verify-blob <artifact>': (f) => [
    'verify-blob',
    f,
    '--bundle',
    GOOD_BLOB_BUNDLE,
    '--certificate-identity',
    'a@b.c',
    '--certificate-oidc-issuer',
    'https://issuer.example',
  ],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-files-'));
  cpSync(SAMPLE, p('model'), { recursive: true });
  mkdirSync(p('a-directory'));
  mkdirSync(p('store'));
  writeFileSync(p('blob.txt'), 'hello');
  writeFileSync(
    p('pods.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [] }\n',
  );
  writeFileSync(
    p('policy.yaml'),
    `apiVersion: modelseal.dev/v1alpha1
kind: ClusterModelPolicy
metadata: { name: p }
spec:
  authorities: [{ name: k, keyless: { identity: a@b.c, issuer: https://issuer.example } }]
  require: [{ predicateType: https://model_signing/signature/v1.0 }]
`,
  );
  expect(spawnSync('mkfifo', [p('fifo')]).status).toBe(0);
  // over every cap (the largest is sign-blob's 1 GiB), sparse: no disk is used
  writeFileSync(p('huge.bin'), '');
  truncateSync(p('huge.bin'), (1 << 30) + 1);
  const r = cli(['keygen', '--output-key-prefix', p('k')]);
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runMatrix(uses: Record<string, (bad: string) => string[]>, bads: readonly Bad[]) {
  const cases = Object.entries(uses).flatMap(([use, args]) => bads.map((bad) => ({ use, bad, args })));
  const results = await inPool(cases, 2, (c) => runCli(c.args(BAD[c.bad].file()), { timeoutMs: 20_000 }));
  return cases.map((c, i) => {
    const r = results[i]!;
    return { use: c.use, bad: c.bad, exit: r.status, code: errorCode(r.stderr) ?? r.stderr.slice(0, 300) };
  });
}

describe('every user-named file: one code and one exit code per condition', () => {
  it('missing, FIFO, directory, oversized: same answer from every command and flag, no hang', async () => {
    const got = await runMatrix(USES, ['missing', 'fifo', 'directory', 'oversized']);
    const want = got.map((g) => ({ ...g, exit: BAD[g.bad].exit, code: BAD[g.bad].code }));
    expect(got).toEqual(want);
    // ~90 CLI processes, two at a time; each is killed after 20 s, so a hang still fails
  }, 240_000);

  it('policy test --policy: missing, FIFO and oversized answer the same (a directory is a policy folder)', async () => {
    const got = await runMatrix(POLICY_DIR_OK, ['missing', 'fifo', 'oversized']);
    const want = got.map((g) => ({ ...g, exit: BAD[g.bad].exit, code: BAD[g.bad].code }));
    expect(got).toEqual(want);
  });

  it('the verify-blob artifact: missing, FIFO and directory answer the same (it has no size cap)', async () => {
    const got = await runMatrix(ARTIFACT, ['missing', 'fifo', 'directory']);
    const want = got.map((g) => ({ ...g, exit: BAD[g.bad].exit, code: BAD[g.bad].code }));
    expect(got).toEqual(want);
  });
});
