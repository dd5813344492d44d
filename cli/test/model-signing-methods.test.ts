/**
 * model_signing's sign/verify command lines as a model_signing user types them: method words,
 * underscore spellings, repeatable one-value flags before the model, --ignore-paths from the
 * current directory, --ignore-unsigned-files, and model.sig in the current directory.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-model', import.meta.url));
const PKI = fileURLToPath(new URL('../../packages/verify/test/fixtures/', import.meta.url));
const code = (stderr: string) => /error\[([A-Z_0-9]+)\]/.exec(stderr)?.[1];

let work: string;
beforeAll(() => {
  work = tempDir();
  expect(cli(['keygen', '--output-key-prefix', join(work, 'k')]).status).toBe(0);
});
afterAll(cleanup);

function model(name: string): string {
  cpSync(SAMPLE, join(work, name), { recursive: true });
  return name;
}

const names = (bundle: string): string[] => {
  const b = JSON.parse(readFileSync(bundle, 'utf8'));
  const s = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
  return s.predicate.resources.map((r: { name: string }) => r.name);
};

describe('sign/verify with a method word', () => {
  it('key: model.sig lands in the current directory, --ignore-paths m/README.md leaves README out', () => {
    const m = model('key-m');
    const s = cli(['sign', 'key', '--private_key', 'k.key', '--ignore-paths', `${m}/README.md`, m], {}, work);
    expect(s.status, s.stderr).toBe(0);
    expect(existsSync(join(work, 'model.sig'))).toBe(true);
    expect(existsSync(join(work, m, 'model.sig'))).toBe(false);
    expect(names(join(work, 'model.sig'))).not.toContain('README.md');
    const v = cli(['verify', 'key', '--signature', 'model.sig', '--public_key', 'k.pub', m], {}, work);
    expect(v.status, v.stderr).toBe(0);
    // model.sig in the current directory is also the default when --signature is left out
    expect(cli(['verify', 'key', m, '--public-key', 'k.pub'], {}, work).status).toBe(0);
  });

  it('certificate: --signing_certificate + repeated --certificate_chain, roots before the model', () => {
    const m = model('cert-m');
    const sig = join(work, 'cert.sig');
    const s = cli([
      'sign',
      'certificate',
      '--private_key',
      join(PKI, 'leaf.key'),
      '--signing_certificate',
      join(PKI, 'leaf.pem'),
      '--certificate_chain',
      join(PKI, 'int.pem'),
      '--signature',
      sig,
      join(work, m),
    ]);
    expect(s.status, s.stderr).toBe(0);
    const chain = JSON.parse(readFileSync(sig, 'utf8')).verificationMaterial.x509CertificateChain;
    expect(chain.certificates).toHaveLength(2);
    const v = cli([
      'verify',
      'certificate',
      '--signature',
      sig,
      '--certificate-chain',
      join(PKI, 'root.pem'),
      join(work, m),
    ]);
    expect(v.status, v.stderr).toBe(0);
    // two roots, then the model: the second flag value is a root, the last word the model
    const two = (first: string, second: string) =>
      cli([
        'verify',
        'certificate',
        '--signature',
        sig,
        '--certificate_chain',
        join(PKI, first),
        '--certificate_chain',
        join(PKI, second),
        join(work, m),
      ]);
    expect(two('other-root.pem', 'root.pem').status).toBe(0);
    expect(two('other-root.pem', 'other-root.pem').status).toBe(EXIT_CODES.verification);
  });

  it('--ignore-unsigned-files tolerates a file added after signing; without it the file is named', () => {
    const m = model('unsigned-m');
    expect(cli(['sign', join(work, m), '--key', join(work, 'k.key')]).status).toBe(0);
    writeFileSync(join(work, m, 'added.bin'), 'new');
    const plain = cli(['verify', 'key', join(work, m), '--public_key', join(work, 'k.pub')]);
    expect(plain.status).toBe(EXIT_CODES.digest);
    expect(plain.stderr).toContain('added.bin');
    const tolerant = cli([
      'verify',
      'key',
      join(work, m),
      '--public_key',
      join(work, 'k.pub'),
      '--ignore_unsigned_files',
    ]);
    expect(tolerant.status, tolerant.stderr).toBe(0);
    // a changed signed file still fails
    writeFileSync(join(work, m, 'config.json'), '{}');
    expect(
      cli(['verify', join(work, m), '--key', join(work, 'k.pub'), '--ignore-unsigned-files']).status,
    ).toBe(EXIT_CODES.digest);
  });

  it.each([
    [['sign', 'key', 'MODEL'], 'METHOD_FLAG_MISMATCH'],
    [['sign', 'sigstore', 'MODEL', '--private-key', 'k.key'], 'METHOD_FLAG_MISMATCH'],
    [['sign', 'certificate', 'MODEL', '--private-key', 'k.key'], 'METHOD_FLAG_MISMATCH'],
    [['sign', 'pkcs11-key', 'MODEL'], 'METHOD_FLAG_MISMATCH'],
    [['sign', 'key', 'MODEL', '--private-key', 'k.key', '--password', 'x'], 'PASSWORD_FLAG_REFUSED'],
    [['sign', 'sigstore', 'MODEL', '--use_staging'], 'STAGING_UNSUPPORTED'],
    [['verify', 'key', 'MODEL', '--certificate-chain', 'k.pub'], 'METHOD_FLAG_MISMATCH'],
    [['verify', 'certificate', 'MODEL', '--public_key', 'k.pub'], 'METHOD_FLAG_MISMATCH'],
    [['verify', 'key'], 'MODEL_PATH_MISSING'],
    [['verify', 'MODEL', 'MODEL', '--key', 'k.pub'], 'METHOD_UNKNOWN'],
    [['sign', 'MODEL', '--key', 'k.key', '--certificate-chain', 'k.pub', 'k.pub'], 'METHOD_UNKNOWN'],
  ])('%j is a coded usage error (exit 2), no stack trace', (args, expected) => {
    const m = model('usage-m');
    const r = cli(
      args.map((a) => (a === 'MODEL' ? m : a)),
      {},
      work,
    );
    expect(r.status, r.stderr).toBe(EXIT_CODES.usage);
    expect(code(r.stderr)).toBe(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('pkcs11-key hands its --pkcs11-uri to the key loader (not a file path of ours)', () => {
    const m = model('pkcs11-m');
    const r = cli(['sign', 'pkcs11-key', m, '--pkcs11_uri', 'pkcs11:token=none;object=none'], {}, work);
    // no such token here: it fails, but past the command line (whatever the PKCS#11 loader says)
    expect(r.status).not.toBe(0);
    expect(['USAGE', 'METHOD_FLAG_MISMATCH', 'METHOD_UNKNOWN', 'MODEL_PATH_MISSING']).not.toContain(
      code(r.stderr),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
