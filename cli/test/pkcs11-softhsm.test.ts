/**
 * Hardware keys as a user meets them: a real SoftHSM2 token initialised here, in a temp dir of
 * its own (SOFTHSM2_CONF), keys generated on the token by pkcs11-tool (OpenSC), and the CLI run
 * as a process with `--key pkcs11:…`. The bundle must verify through the plain `verify --key
 * pub.pem` path and under model_signing's rules; PIN, object, token and module mistakes give
 * their codes and exit codes. Skipped, with the reason printed, only where softhsm2 is absent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';
import { makePki, modelSigningCertificateCheck, modelSigningKeyCheck } from './model-signing-rules.ts';

const MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find(
  (p) => existsSync(p),
);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const SOFTHSM = MODULE !== undefined && has('softhsm2-util');
if (!SOFTHSM) {
  console.warn('pkcs11-softhsm: skipped: softhsm2 is not installed (bash scripts/ci-apt.sh installs it)');
}

const PIN = '246813';
const TOKEN = 'modelseal test';
const V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

let dir: string;
let env: Record<string, string>;
const f = (n: string) => join(dir, n);
const pub: Record<string, string> = {};
const uri = (object: string, query = `pin-source=file:${f('pin')}&module-path=${MODULE}`) =>
  `pkcs11:token=${encodeURIComponent(TOKEN)};object=${object}${query ? `?${query}` : ''}`;
const run = (args: string[], extra: Record<string, string> = {}) => cli(args, { ...env, ...extra });
const json = (stdout: string) =>
  JSON.parse(stdout) as { ok: boolean; error?: { code: string; kind: string } };
const model = (name: string) => {
  const m = f(name);
  cpSync('examples/sample-model', m, { recursive: true });
  return m;
};

function tool(args: string[]): string {
  return execFileSync('pkcs11-tool', ['--module', MODULE as string, '--token-label', TOKEN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The public key as pkcs11-tool printed it (its --read-object fails on P-384 here): EC_POINT is
 * a DER OCTET STRING around 04||X||Y; RSA keys are read back as SPKI DER.
 */
function publicPem(keypairgenOutput: string, type: string): string {
  if (type.startsWith('rsa')) {
    const label = /label:\s+(\S+)/.exec(keypairgenOutput)?.[1] as string;
    tool(['--read-object', '--type', 'pubkey', '--label', label, '--output-file', f(`${label}.der`)]);
    const key = createPublicKey({ key: readFileSync(f(`${label}.der`)), format: 'der', type: 'spki' });
    return key.export({ type: 'spki', format: 'pem' }).toString();
  }
  const hex = /EC_POINT:\s+([0-9a-f]+)/.exec(keypairgenOutput)?.[1] as string;
  const der = Buffer.from(hex, 'hex');
  const point = der.subarray(der[1] === 0x81 ? 3 : 2);
  const size = (point.length - 1) / 2;
  const b64 = (b: Buffer) => b.toString('base64url');
  const crv = type === 'EC:secp256r1' ? 'P-256' : 'P-384';
  const key = createPublicKey({
    key: { kty: 'EC', crv, x: b64(point.subarray(1, 1 + size)), y: b64(point.subarray(1 + size)) },
    format: 'jwk',
  });
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** Generated on the token when OpenSC is there; else imported (the CLI path under test is the same). */
function makeKey(label: string, id: string, type: 'EC:secp256r1' | 'EC:secp384r1' | 'rsa:2048'): string {
  if (has('pkcs11-tool')) {
    const out = tool([
      '--login',
      '--pin',
      PIN,
      '--keypairgen',
      '--key-type',
      type,
      '--label',
      label,
      '--id',
      id,
    ]);
    writeFileSync(f(`${label}.pub`), publicPem(out, type));
    return out;
  }
  const algo = type.startsWith('EC')
    ? ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${type === 'EC:secp256r1' ? 'P-256' : 'P-384'}`]
    : ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
  execFileSync('openssl', ['genpkey', ...algo, '-out', f(`${label}.key`)]);
  execFileSync('openssl', ['pkey', '-in', f(`${label}.key`), '-pubout', '-out', f(`${label}.pub`)]);
  execFileSync(
    'softhsm2-util',
    ['--import', f(`${label}.key`), '--token', TOKEN, '--label', label, '--id', id, '--pin', PIN],
    {
      env: { ...process.env, ...env },
    },
  );
  return 'imported';
}

beforeAll(() => {
  if (!SOFTHSM) return;
  dir = tempDir();
  execFileSync('mkdir', ['-p', f('tokens')]);
  writeFileSync(
    f('softhsm2.conf'),
    `directories.tokendir = ${f('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  env = { SOFTHSM2_CONF: f('softhsm2.conf'), MODELSEAL_PKCS11_MODULE: '' };
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', TOKEN, '--so-pin', '13579', '--pin', PIN],
    {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    },
  );
  writeFileSync(f('pin'), `${PIN}\n`);
  writeFileSync(f('wrong-pin'), '000000');
  const generated = makeKey('ec256', '01', 'EC:secp256r1');
  makeKey('ec384', '02', 'EC:secp384r1');
  makeKey('rsa2048', '03', 'rsa:2048');
  pub.generated = generated;
}, 120_000);
afterAll(cleanup);

describe.skipIf(!SOFTHSM)('sign with a key on a SoftHSM2 token, verify with its public key', () => {
  it('P-256: sign → verify --key pub.pem; the bundle meets model_signing rules; a changed file fails', () => {
    if (pub.generated !== 'imported') {
      // the key was made on the token and cannot be read out of it
      expect(pub.generated).toMatch(/Private Key Object; EC[\s\S]*never extractable/);
    }
    const m = model('m256');
    const s = run(['sign', m, '--key', uri('ec256')]);
    expect(s.stderr).toContain('Signed');
    expect(s.status).toBe(0);
    expect(s.stderr).not.toContain(PIN);
    const bundle = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    expect(bundle.mediaType).toBe(V03);
    expect(Object.keys(bundle.verificationMaterial).sort()).toEqual(['publicKey', 'tlogEntries']);
    modelSigningKeyCheck(bundle, readFileSync(f('ec256.pub'), 'utf8'));

    const v = run(['verify', m, '--key', f('ec256.pub')]);
    expect(v.stderr).toContain('Verification succeeded');
    expect(v.status).toBe(0);
    // another key on the same token does not verify it
    expect(run(['verify', m, '--key', f('ec384.pub')]).status).toBe(EXIT_CODES.verification);
    appendFileSync(join(m, 'README.md'), 'tampered\n');
    expect(run(['verify', m, '--key', f('ec256.pub')]).status).toBe(EXIT_CODES.digest);
  });

  it('P-384 picked by id, module from $MODELSEAL_PKCS11_MODULE; RSA with --pkcs11-module warns about model_signing', () => {
    const m = model('m384');
    const byId = `pkcs11:token=${encodeURIComponent(TOKEN)};id=%02?pin-source=file:${f('pin')}`;
    const s = run(['sign', m, '--key', byId, '--output', 'json'], {
      MODELSEAL_PKCS11_MODULE: MODULE as string,
    });
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    const bundle = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    modelSigningKeyCheck(bundle, readFileSync(f('ec384.pub'), 'utf8'));
    expect(run(['verify', m, '--key', f('ec384.pub')]).status).toBe(0);

    const r = model('mrsa');
    const rs = run([
      'sign',
      r,
      '--key',
      uri('rsa2048', `pin-value=${PIN}`),
      '--pkcs11-module',
      MODULE as string,
    ]);
    expect(rs.stderr).toMatch(/warning: .*not with model_signing/);
    expect(rs.status).toBe(0);
    expect(run(['verify', r, '--key', f('rsa2048.pub')]).status).toBe(0);
  });

  it('a certificate for the token key: sign --certificate-chain, verify against the root', () => {
    execFileSync('mkdir', ['-p', f('pki')]);
    const pki = makePki(f('pki'));
    // issued for the token's public key (openssl never sees the private key), by the intermediate
    execFileSync('openssl', [
      'x509',
      '-new',
      '-force_pubkey',
      f('ec256.pub'),
      '-subj',
      '/CN=token leaf',
      '-CA',
      pki.int,
      '-CAkey',
      join(f('pki'), 'int.key'),
      '-days',
      '10',
      '-extfile',
      join(f('pki'), 'leaf.ext'),
      '-out',
      f('token-leaf.pem'),
    ]);
    const m = model('mcert');
    const s = run(['sign', m, '--key', uri('ec256'), '--certificate-chain', f('token-leaf.pem'), pki.int]);
    expect(s.stderr).toContain('Signed');
    expect(s.status).toBe(0);
    const bundle = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    modelSigningCertificateCheck(bundle, readFileSync(pki.root, 'utf8'));
    expect(run(['verify', m, '--certificate-chain', pki.root]).status).toBe(0);
    // a certificate for another key is refused before anything is signed
    const other = run([
      'sign',
      model('mcert2'),
      '--key',
      uri('ec384'),
      '--certificate-chain',
      f('token-leaf.pem'),
      pki.int,
    ]);
    expect(other.stderr).toContain('KEY_CERTIFICATE_MISMATCH');
    expect(other.status).toBe(EXIT_CODES.input);
  });

  it('attest shares the key loader: SLSA provenance signed on the token verifies with the public key', () => {
    const m = model('matt');
    const a = run([
      'attest',
      m,
      '--type',
      'slsa',
      '--builder-id',
      'https://ci.example/b',
      '--key',
      uri('ec256'),
      '--store',
      f('store'),
    ]);
    expect(a.status, a.stderr).toBe(0);
    const v = run([
      'verify-attestation',
      m,
      '--key',
      f('ec256.pub'),
      '--store',
      f('store'),
      '--type',
      'slsa',
    ]);
    expect(v.status, v.stderr).toBe(0);
    expect(
      run(['verify-attestation', m, '--key', f('ec384.pub'), '--store', f('store'), '--type', 'slsa']).status,
    ).not.toBe(0);
  });
});

describe.skipIf(!SOFTHSM || !has('pkcs11-tool'))('where the public key comes from', () => {
  it('a certificate object when there is no public object; a public object of another key is caught before signing', () => {
    const login = ['--login', '--pin', PIN];
    // pa: its public object is removed and replaced by a certificate with its CKA_ID
    writeFileSync(
      f('pa.pub'),
      publicPem(
        tool([...login, '--keypairgen', '--key-type', 'EC:secp256r1', '--label', 'pa', '--id', '05']),
        'EC:secp256r1',
      ),
    );
    tool([...login, '--delete-object', '--type', 'pubkey', '--id', '05']);
    const m = model('mpa');
    const none = run(['sign', m, '--key', uri('pa')]);
    expect(none.stderr).toContain('error[PKCS11_PUBLIC_KEY_NOT_FOUND]');
    expect(none.status).toBe(EXIT_CODES.not_found);
    execFileSync('mkdir', ['-p', f('pki-pa')]);
    const pki = makePki(f('pki-pa'));
    execFileSync('openssl', [
      'x509',
      '-new',
      '-force_pubkey',
      f('pa.pub'),
      '-subj',
      '/CN=pa',
      '-CA',
      pki.int,
      '-CAkey',
      join(f('pki-pa'), 'int.key'),
      '-days',
      '10',
      '-outform',
      'DER',
      '-out',
      f('pa.der'),
    ]);
    tool([...login, '--write-object', f('pa.der'), '--type', 'cert', '--id', '05', '--label', 'pa']);
    expect(run(['sign', m, '--key', uri('pa')]).status).toBe(0);
    expect(run(['verify', m, '--key', f('pa.pub')]).status).toBe(0);

    // pb: its own public object is gone and pc's public object is relabelled with pb's id
    tool([...login, '--keypairgen', '--key-type', 'EC:secp256r1', '--label', 'pb', '--id', '06']);
    tool([...login, '--delete-object', '--type', 'pubkey', '--id', '06']);
    tool([...login, '--keypairgen', '--key-type', 'EC:secp256r1', '--label', 'pc', '--id', '07']);
    tool([...login, '--type', 'pubkey', '--id', '07', '--set-id', '06']);
    const mb = model('mpb');
    const mismatch = run(['sign', mb, '--key', uri('pb')]);
    expect(mismatch.stderr).toContain('error[PKCS11_KEY_MISMATCH]');
    expect(mismatch.status).toBe(EXIT_CODES.input);
    expect(existsSync(join(mb, 'model.sig'))).toBe(false);
  });
});

describe.skipIf(!SOFTHSM)('token mistakes give coded errors and the exit code of their kind', () => {
  const cases: [string, () => string[], string, keyof typeof EXIT_CODES][] = [
    [
      'wrong PIN',
      () => ['--key', uri('ec256', `pin-source=file:${f('wrong-pin')}&module-path=${MODULE}`)],
      'PKCS11_PIN_INCORRECT',
      'input',
    ],
    ['missing object', () => ['--key', uri('no-such-key')], 'PKCS11_OBJECT_NOT_FOUND', 'not_found'],
    [
      'missing token',
      () => ['--key', `pkcs11:token=absent;object=ec256?pin-value=1&module-path=${MODULE}`],
      'PKCS11_TOKEN_NOT_FOUND',
      'not_found',
    ],
    [
      'no PIN and no terminal',
      () => ['--key', uri('ec256', `module-path=${MODULE}`)],
      'PKCS11_PIN_REQUIRED',
      'usage',
    ],
    ['no module named', () => ['--key', uri('ec256', `pin-value=${PIN}`)], 'PKCS11_MODULE_REQUIRED', 'usage'],
    [
      'module path missing',
      () => ['--key', uri('ec256', `pin-value=${PIN}&module-path=${f('nope.so')}`)],
      'PKCS11_MODULE_NOT_FOUND',
      'not_found',
    ],
    [
      'module not a library',
      () => ['--key', uri('ec256', `pin-value=${PIN}&module-path=${f('pin')}`)],
      'PKCS11_MODULE_INVALID',
      'input',
    ],
    [
      'PIN file missing',
      () => ['--key', uri('ec256', `pin-source=file:${f('absent-pin')}&module-path=${MODULE}`)],
      'FILE_NOT_FOUND',
      'not_found',
    ],
    [
      'malformed URI',
      () => ['--key', 'pkcs11:token=a;token=b;object=k'],
      'PKCS11_URI_ATTRIBUTE_REPEATED',
      'usage',
    ],
    [
      'no object in the URI',
      () => ['--key', `pkcs11:token=${encodeURIComponent(TOKEN)}?pin-value=${PIN}`],
      'PKCS11_URI_OBJECT_REQUIRED',
      'usage',
    ],
  ];
  it.each(cases)('%s', (_name, args, code, kind) => {
    const m = model(`bad-${code}-${kind}`);
    const r = run(['sign', m, ...args(), '--output', 'json']);
    expect(r.stderr).toContain(`error[${code}]`);
    expect(json(r.stdout).error?.code).toBe(code);
    expect(json(r.stdout).error?.kind).toBe(kind);
    expect(r.status).toBe(EXIT_CODES[kind]);
    // nothing was signed, and no PIN reached the output
    expect(existsSync(join(m, 'model.sig'))).toBe(false);
    expect(`${r.stdout}${r.stderr}`).not.toContain(PIN);
  });
});
