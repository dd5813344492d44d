/**
 * model_signing's own test scripts (scripts/tests/test-verify-*.sh) verify the vectors in
 * ../shared/vectors/model-transparency with these invocations. Each runs verbatim here, with the
 * CLI as a process in place of `python -m model_signing`, from that folder (or, like the scripts'
 * second step, from inside a model); each fails once a signed byte is flipped.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const MT = `${SHARED_VECTORS}/model-transparency`;
const IBM = '--identity stefanb@us.ibm.com --identity_provider https://sigstore.verify.ibm.com/oauth2';
const PUB = '--public_key ./keys/certificate/signing-key-pub.pem';
const CA = '--certificate_chain ./keys/certificate/ca-cert.pem';

interface Invocation {
  readonly folder: string;
  /** relative to the vectors folder: where the script runs it */
  readonly cwd: string;
  readonly args: string;
}

const certificate = (v: string, ignore: boolean): Invocation => ({
  folder: `${v}-certificate`,
  cwd: '.',
  args: `verify certificate ${ignore ? `--ignore-paths ./${v}-certificate/ignore-me ` : ''}--signature ./${v}-certificate/model.sig ${CA} ./${v}-certificate/`,
});
const key = (v: string, model: string, ignore: boolean): Invocation => ({
  folder: `${v}-elliptic-key`,
  cwd: '.',
  args: `verify key ${ignore ? `--ignore-paths ./${v}-elliptic-key/ignore-me ` : ''}--signature ./${v}-elliptic-key/model.sig ${PUB} ./${v}-elliptic-key${model}`,
});
const sigstore = (v: string, ignore: boolean): Invocation => ({
  folder: `${v}-sigstore`,
  cwd: '.',
  args: `verify sigstore ${IBM} ${ignore ? `--ignore-paths ./${v}-sigstore/ignore-me ` : ''}--signature ./${v}-sigstore/model.sig ./${v}-sigstore/`,
});
const insideModel = (folder: string): Invocation => ({
  folder,
  cwd: folder,
  args: `verify sigstore ${IBM} --ignore-paths ignore-me --signature model.sig .`,
});

const INVOCATIONS: readonly Invocation[] = [
  certificate('v0.2.0', false),
  certificate('v0.3.1', false),
  certificate('v1.0.0', false),
  certificate('v1.0.1', true),
  certificate('v1.1.0', true),
  key('v0.3.1', '/signme-1', false),
  key('v1.0.0', '/signme-1', false),
  key('v1.0.1', '', true),
  key('v1.1.0', '', true),
  sigstore('v0.3.1', false),
  sigstore('v1.0.0', false),
  sigstore('v1.0.1', true),
  sigstore('v1.1.0', true),
  insideModel('v1.0.1-sigstore'),
  insideModel('v1.1.0-sigstore'),
];

afterAll(cleanup);

describe("model_signing's test-script invocations, verbatim", () => {
  it('cover every vector folder', () => {
    const folders = readdirSync(MT).filter((d) => /^v\d/.test(d));
    expect(new Set(INVOCATIONS.map((i) => i.folder))).toEqual(new Set(folders));
    expect(folders.length).toBe(13);
  });

  it.each(INVOCATIONS)('$folder: modelseal $args', (inv) => {
    const r = cli(inv.args.split(' '), {}, join(MT, inv.cwd));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Verification succeeded');
  });

  it.each(INVOCATIONS)('$folder fails after one byte of a signed file is flipped', (inv) => {
    const root = join(tempDir(), 'mt');
    cpSync(MT, root, { recursive: true });
    const file = join(root, inv.folder, 'signme-1');
    const bytes = readFileSync(file);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    const r = cli(inv.args.split(' '), {}, join(root, inv.cwd));
    expect(r.status, r.stderr).toBe(EXIT_CODES.digest);
    // a single-file model's one resource is named '.'
    expect(r.stderr).toMatch(/MODEL_DIGEST_MISMATCH.*changed: (signme-1|\.)/);
  });
});
