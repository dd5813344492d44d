/**
 * `modelseal-oms-adapter`, the OMS conformance suite's adapter, as the suite drives it: a process
 * per call, absolute paths, only the exit code counting. The suite itself is not in this repository
 * (docs/signing.md gives its measured result); these cases mirror its categories: sign-then-verify
 * round trips, pre-made bundles that must verify (model_signing's vectors, historical formats
 * included), and ones that must fail.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { adapterToCli } from '../src/oms-adapter.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const ADAPTER = fileURLToPath(new URL('../src/oms-adapter-bin.ts', import.meta.url));
const PKI = fileURLToPath(new URL('../../packages/verify/test/fixtures/', import.meta.url));
const MT = `${SHARED_VECTORS}/model-transparency`;
const MT_KEYS = join(MT, 'keys/certificate');

function adapter(args: string[]) {
  const r = spawnSync(process.execPath, [ADAPTER, ...args], {
    encoding: 'utf8',
    timeout: 50_000,
    env: { ...process.env, SIGSTORE_ID_TOKEN: '', ACTIONS_ID_TOKEN_REQUEST_URL: '' },
  });
  return { status: r.status, stderr: r.stderr };
}

let work: string;
let keys: { key: string; pub: string; wrongPub: string };
beforeAll(() => {
  work = tempDir();
  for (const k of ['k', 'wrong']) cli(['keygen', '--output-key-prefix', join(work, k)]);
  keys = { key: join(work, 'k.key'), pub: join(work, 'k.pub'), wrongPub: join(work, 'wrong.pub') };
});
afterAll(cleanup);

let n = 0;
function model(files: Record<string, string>): string {
  const dir = join(work, `m${n++}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}
const SIMPLE = { 'signme-1': 'one\n', 'signme-2': 'two\n', 'ignore-me': 'ignored\n' };
const signed = (bundle: string): string[] => {
  const b = JSON.parse(readFileSync(bundle, 'utf8'));
  const s = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
  return s.predicate.resources.map((r: { name: string }) => r.name);
};

const signKey = (m: string, b: string, ...extra: string[]) =>
  adapter([
    'sign-model',
    '--method',
    'key',
    '--model-path',
    m,
    '--output-bundle',
    b,
    '--private-key',
    keys.key,
    ...extra,
  ]);
/** verify-model --method key with the given public key (default: the one the tests sign with) */
const verifyKeyWith = (pub: string, m: string, b: string, ...extra: string[]) =>
  adapter([
    'verify-model',
    '--method',
    'key',
    '--model-path',
    m,
    '--bundle',
    b,
    '--public-key',
    pub,
    ...extra,
  ]);
const verifyKey = (m: string, b: string, ...extra: string[]) => verifyKeyWith(keys.pub, m, b, ...extra);

describe('round trips', () => {
  it('key: sign, verify; ignore paths are absolute and recorded out of the resources', () => {
    const m = model(SIMPLE);
    const b = join(work, 'simple.sig');
    expect(signKey(m, b, '--ignore-paths', join(m, 'ignore-me')).status).toBe(0);
    expect(signed(b)).toEqual(['signme-1', 'signme-2']);
    expect(verifyKey(m, b, '--ignore-paths', join(m, 'ignore-me')).status).toBe(0);
  });

  it('certificate: leaf + intermediate signed, verified against the root', () => {
    const m = model(SIMPLE);
    const b = join(work, 'cert.sig');
    const s = adapter([
      'sign-model',
      '--method',
      'certificate',
      '--model-path',
      m,
      '--output-bundle',
      b,
      '--private-key',
      join(PKI, 'leaf.key'),
      '--signing-cert',
      join(PKI, 'leaf.pem'),
      '--cert-chain',
      join(PKI, 'int.pem'),
    ]);
    expect(s.status, s.stderr).toBe(0);
    const v = (root: string) =>
      adapter([
        'verify-model',
        '--method',
        'certificate',
        '--model-path',
        m,
        '--bundle',
        b,
        '--cert-chain',
        root,
      ]);
    expect(v(join(PKI, 'root.pem')).status).toBe(0);
    expect(v(join(PKI, 'other-root.pem')).status).not.toBe(0);
  });

  it('a single file is named by its basename (OMS v1.0 §6.1)', () => {
    const m = join(model({ 'model.bin': 'weights' }), 'model.bin');
    const b = join(work, 'single.sig');
    expect(signKey(m, b).status).toBe(0);
    expect(signed(b)).toEqual(['model.bin']);
    expect(verifyKey(m, b).status).toBe(0);
  });

  it('a bundle inside the model is left out; an empty model is refused', () => {
    const m = model(SIMPLE);
    expect(signKey(m, join(m, 'bundle.sig')).status).toBe(0);
    expect(signed(join(m, 'bundle.sig'))).not.toContain('bundle.sig');
    expect(verifyKey(m, join(m, 'bundle.sig')).status).toBe(0);
    const empty = model({ '.gitignore': '' });
    expect(signKey(empty, join(work, 'empty.sig')).status).not.toBe(0);
  });

  it('--ignore-unsigned-files tolerates an added file; without it verification fails', () => {
    const m = model(SIMPLE);
    const b = join(work, 'unsigned.sig');
    expect(signKey(m, b).status).toBe(0);
    writeFileSync(join(m, 'injected.bin'), 'injected after signing\n');
    expect(verifyKey(m, b).status).not.toBe(0);
    expect(verifyKey(m, b, '--ignore-unsigned-files').status).toBe(0);
  });

  it('symlinks are refused by default, and so is one leading outside the model', () => {
    const m = model(SIMPLE);
    symlinkSync('signme-1', join(m, 'inside-link'));
    expect(signKey(m, join(work, 'link.sig')).status).not.toBe(0);
    const out = model(SIMPLE);
    symlinkSync('/tmp/nonexistent-target', join(out, 'outside-link'));
    expect(signKey(out, join(work, 'out.sig')).status).not.toBe(0);
  });
});

describe('pre-made bundles that verify', () => {
  const mt = (dir: string, ...trust: string[]) => {
    const m = join(tempDir(), 'model');
    cpSync(join(MT, dir), m, { recursive: true });
    return adapter(['verify-model', '--model-path', m, '--bundle', join(m, 'model.sig'), ...trust]);
  };
  it.each(['v1.1.0', 'v1.0.1'])('model_signing %s key, certificate and sigstore bundles', (v) => {
    const ignore = ['--ignore-paths'];
    const key = ['--method', 'key', '--public-key', join(MT_KEYS, 'signing-key-pub.pem')];
    const cert = ['--method', 'certificate', '--cert-chain', join(MT_KEYS, 'ca-cert.pem')];
    const sigstore = [
      '--method',
      'sigstore',
      '--identity',
      'stefanb@us.ibm.com',
      '--identity-provider',
      'https://sigstore.verify.ibm.com/oauth2',
    ];
    for (const [dir, trust] of [
      [`${v}-elliptic-key`, key],
      [`${v}-certificate`, cert],
      [`${v}-sigstore`, sigstore],
    ] as const) {
      const m = join(tempDir(), 'model');
      cpSync(join(MT, dir), m, { recursive: true });
      const r = adapter([
        'verify-model',
        '--model-path',
        m,
        '--bundle',
        join(m, 'model.sig'),
        ...trust,
        ...ignore,
        join(m, 'ignore-me'),
      ]);
      expect(r.status, `${dir}: ${r.stderr}`).toBe(0);
    }
  });
  it('historical: v0.2.0 certificate (legacy predicate), v0.3.1 single-file key bundle named "."', () => {
    expect(
      mt('v0.2.0-certificate', '--method', 'certificate', '--cert-chain', join(MT_KEYS, 'ca-cert.pem'))
        .status,
    ).toBe(0);
    const m = join(tempDir(), 'signme-1');
    cpSync(join(MT, 'v0.3.1-elliptic-key/signme-1'), m);
    const pub = join(MT_KEYS, 'signing-key-pub.pem');
    const r = verifyKeyWith(pub, m, join(MT, 'v0.3.1-elliptic-key/model.sig'));
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('bundles that must fail', () => {
  let m: string;
  let b: string;
  beforeAll(() => {
    m = model(SIMPLE);
    b = join(work, 'neg.sig');
    expect(signKey(m, b).status).toBe(0);
  });
  const variant = (name: string, text: string) => {
    const p = join(work, name);
    writeFileSync(p, text);
    return p;
  };
  const bundle = () => JSON.parse(readFileSync(b, 'utf8'));

  it('tampered, missing and extra files', () => {
    for (const change of [
      (d: string) => writeFileSync(join(d, 'signme-1'), 'tampered'),
      (d: string) => writeFileSync(join(d, 'extra.bin'), 'extra'),
      (d: string) => writeFileSync(join(d, 'signme-2'), ''),
    ]) {
      const copy = join(tempDir(), 'model');
      cpSync(m, copy, { recursive: true });
      change(copy);
      expect(verifyKey(copy, b).status).not.toBe(0);
    }
  });

  it('wrong key, wrong method, wrong media type, truncated, empty, no signature, wrong statement', () => {
    expect(verifyKeyWith(keys.wrongPub, m, b).status).not.toBe(0);
    expect(
      adapter([
        'verify-model',
        '--method',
        'certificate',
        '--model-path',
        m,
        '--bundle',
        b,
        '--cert-chain',
        join(PKI, 'root.pem'),
      ]).status,
    ).not.toBe(0);
    const text = readFileSync(b, 'utf8');
    const cases = [
      JSON.stringify({ ...bundle(), mediaType: 'application/json' }),
      text.slice(0, text.length / 2),
      '',
      JSON.stringify({ ...bundle(), dsseEnvelope: { ...bundle().dsseEnvelope, signatures: [] } }),
      JSON.stringify({ ...bundle(), dsseEnvelope: undefined }),
      JSON.stringify({ ...bundle(), dsseEnvelope: { ...bundle().dsseEnvelope, payloadType: 'text/plain' } }),
    ];
    for (const [i, c] of cases.entries())
      expect(verifyKey(m, variant(`bad-${i}.sig`, c)).status, c.slice(0, 80)).not.toBe(0);
  });

  it('an expired signing certificate fails; a sigstore bundle of another identity fails', () => {
    const cm = model(SIMPLE);
    const cb = join(work, 'expired.sig');
    const s = adapter([
      'sign-model',
      '--method',
      'certificate',
      '--model-path',
      cm,
      '--output-bundle',
      cb,
      '--private-key',
      join(PKI, 'leaf.key'),
      '--signing-cert',
      join(PKI, 'expired-leaf.pem'),
      '--cert-chain',
      join(PKI, 'int.pem'),
    ]);
    expect(s.status, s.stderr).toBe(0);
    expect(
      adapter([
        'verify-model',
        '--method',
        'certificate',
        '--model-path',
        cm,
        '--bundle',
        cb,
        '--cert-chain',
        join(PKI, 'root.pem'),
      ]).status,
    ).toBe(3);
    const sm = join(tempDir(), 'model');
    cpSync(join(MT, 'v1.1.0-sigstore'), sm, { recursive: true });
    const wrong = adapter([
      'verify-model',
      '--method',
      'sigstore',
      '--model-path',
      sm,
      '--bundle',
      join(sm, 'model.sig'),
      '--identity',
      'someone@example.com',
      '--identity-provider',
      'https://sigstore.verify.ibm.com/oauth2',
    ]);
    expect(wrong.status).toBe(3);
  });

  it('adapter usage mistakes are coded (exit 2)', () => {
    expect(adapter(['sign-model', '--method', 'rsa', '--model-path', m, '--output-bundle', b]).status).toBe(
      2,
    );
    expect(adapter(['verify-model', '--method', 'key']).status).toBe(2);
    expect(adapter(['frobnicate']).status).toBe(2);
  });
});

/** The adapter as a child that does not block this process (the local Sigstore answers from here). */
function adapterAsync(args: string[], env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ADAPTER, ...args], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
}

describe('keyless round trip against a local Sigstore', () => {
  it('the suite passes only a token; the adapter takes the instance from MODELSEAL_OMS_*', async () => {
    expect(
      adapterToCli(
        [
          'sign-model',
          '--method',
          'sigstore',
          '--model-path',
          '/m',
          '--output-bundle',
          '/b',
          '--identity-token',
          't',
        ],
        { MODELSEAL_OMS_SIGNING_CONFIG: '/s.json' },
      ),
    ).toEqual(['sign', '/m', '--bundle', '/b', '--identity-token', 't', '--signing-config', '/s.json']);
    const ss = await startLocalSigstore();
    try {
      const dir = tempDir();
      writeFileSync(join(dir, 'root.json'), JSON.stringify(ss.trustedRoot));
      writeFileSync(join(dir, 'signing.json'), JSON.stringify(ss.signingConfig));
      const identity = 'https://ci.example/release';
      const issuer = 'https://oidc.ci.example';
      const env = {
        SIGSTORE_ID_TOKEN: '',
        MODELSEAL_OMS_SIGNING_CONFIG: join(dir, 'signing.json'),
        MODELSEAL_OMS_TRUSTED_ROOT: join(dir, 'root.json'),
      };
      const m = model(SIMPLE);
      const b = join(dir, 'keyless.sig');
      const token = ss.mintToken({ identity, issuer });
      const signArgs = ['sign-model', '--method', 'sigstore', '--model-path', m, '--output-bundle', b];
      expect(await adapterAsync([...signArgs, '--identity-token', token], env)).toBe(0);
      const verify = (who: string) =>
        adapterAsync(
          [
            'verify-model',
            '--method',
            'sigstore',
            '--model-path',
            m,
            '--bundle',
            b,
            '--identity',
            who,
            '--identity-provider',
            issuer,
          ],
          env,
        );
      expect(await verify(identity)).toBe(0);
      expect(await verify('https://ci.example/other')).toBe(3);
    } finally {
      await ss.close();
    }
  });
});
