/**
 * A real SoftHSM2 token for the hardware-key tests, initialised in a temp dir of its own
 * (SOFTHSM2_CONF), with keys generated on it by pkcs11-tool (OpenSC), or imported where OpenSC is
 * missing. The CLI runs as a process against it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.ts';

export const MODULE = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
].find((p) => existsSync(p));
export const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
export const SOFTHSM = MODULE !== undefined && has('softhsm2-util');

export const PIN = '246813';
export const TOKEN = 'modelseal test';
export const V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

let dir: string;
let env: Record<string, string>;
export const f = (n: string) => join(dir, n);
/** what pkcs11-tool said when it generated ec256 ('imported' without OpenSC) */
export const pub: Record<string, string> = {};
export const uri = (object: string, query = `pin-source=file:${f('pin')}&module-path=${MODULE}`) =>
  `pkcs11:token=${encodeURIComponent(TOKEN)};object=${object}${query ? `?${query}` : ''}`;
export const run = (args: string[], extra: Record<string, string> = {}) => cli(args, { ...env, ...extra });
export const json = (stdout: string) =>
  JSON.parse(stdout) as { ok: boolean; error?: { code: string; kind: string } };
export const model = (name: string) => {
  const m = f(name);
  cpSync('examples/sample-model', m, { recursive: true });
  return m;
};

export function tool(args: string[]): string {
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
export function publicPem(keypairgenOutput: string, type: string): string {
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

/** A fresh token in a temp dir of its own, with ec256 (id 01), ec384 (02) and rsa2048 (03). */
export function setUpToken(): void {
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
}
