import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSigstore, startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, runCli } from './keyless-helpers.ts';

const ENV = { ...process.env, SIGSTORE_ID_TOKEN: '', ACTIONS_ID_TOKEN_REQUEST_URL: '' };
const HOUR = 3600_000;
const iso = (offset: number) => new Date(Date.now() + offset).toISOString();

describe('modelseal verify --key with a TSA timestamp and a key validity window', () => {
  let ss: LocalSigstore;
  let other: LocalSigstore;
  let dir: string;
  const at = (name: string) => join(dir, name);
  const verify = (bundle: string, extra: string[]) =>
    runCli(['verify', at('model'), '--key', at('k.pub'), '--bundle', bundle, ...extra], { env: ENV });

  beforeAll(async () => {
    [ss, other] = await Promise.all([startLocalSigstore(), startLocalSigstore()]);
    dir = mkdtempSync(join(tmpdir(), 'modelseal-keytsa-'));
    cpSync('examples/sample-model', at('model'), { recursive: true });
    writeFileSync(at('root.json'), JSON.stringify(ss.trustedRoot));
    writeFileSync(at('other-root.json'), JSON.stringify(other.trustedRoot));
    writeFileSync(at('no-tsa-root.json'), JSON.stringify({ ...ss.trustedRoot, timestampAuthorities: [] }));
    const keygen = await runCli(['keygen', '--output-key-prefix', at('k')], { env: ENV });
    expect(keygen.status, keygen.stderr).toBe(0);
    const signs = await Promise.all([
      runCli(
        [
          'sign',
          at('model'),
          '--key',
          at('k.key'),
          '--bundle',
          at('tsa.sig'),
          '--timestamp-server-url',
          ss.tsaUrl,
        ],
        {
          env: ENV,
        },
      ),
      runCli(['sign', at('model'), '--key', at('k.key'), '--bundle', at('plain.sig')], { env: ENV }),
    ]);
    for (const s of signs) expect(s.status, s.stderr).toBe(0);
  });
  afterAll(async () => {
    await Promise.all([ss?.close(), other?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes when the TSA time lies inside the window, with either bound open', async () => {
    const window = ['--key-valid-from', iso(-HOUR), '--key-valid-until', iso(HOUR)];
    const rs = await Promise.all([
      verify(at('tsa.sig'), ['--trusted-root', at('root.json'), ...window, '--output', 'json']),
      verify(at('tsa.sig'), ['--trusted-root', at('root.json'), '--key-valid-from', iso(-HOUR)]),
      verify(at('tsa.sig'), ['--trusted-root', at('root.json')]),
      // without the new flags nothing changes: timestamps are not looked at
      verify(at('tsa.sig'), []),
      verify(at('plain.sig'), []),
    ]);
    for (const r of rs) expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(rs[0]!.stdout).signer).toMatchObject({ kind: 'key' });
  });

  it('refuses a signature made after the key window ended, naming time and window', async () => {
    const until = iso(-HOUR);
    const r = await verify(at('tsa.sig'), [
      '--trusted-root',
      at('root.json'),
      '--key-valid-from',
      iso(-2 * HOUR),
      '--key-valid-until',
      until,
    ]);
    expect(r.status, r.stderr).toBe(EXIT_CODES.verification);
    expect(errorCode(r.stderr)).toBe('KEY_NOT_VALID_AT_SIGNING_TIME');
    expect(r.stderr).toContain(until);
    const early = await verify(at('tsa.sig'), [
      '--trusted-root',
      at('root.json'),
      '--key-valid-from',
      iso(HOUR),
    ]);
    expect(errorCode(early.stderr)).toBe('KEY_NOT_VALID_AT_SIGNING_TIME');
  });

  it('requires a timestamp once a window or TSA is given', async () => {
    const window = ['--key-valid-from', iso(-HOUR), '--key-valid-until', iso(HOUR)];
    const [noStamp, rootOnly] = await Promise.all([
      verify(at('plain.sig'), ['--trusted-root', at('root.json'), ...window]),
      verify(at('plain.sig'), ['--trusted-root', at('root.json')]),
    ]);
    expect(noStamp.status).toBe(EXIT_CODES.verification);
    expect(errorCode(noStamp.stderr)).toBe('TIMESTAMP_REQUIRED');
    expect(errorCode(rootOnly.stderr)).toBe('TIMESTAMP_REQUIRED');
  });

  it('refuses a timestamp from a TSA the trusted root does not name', async () => {
    const window = ['--key-valid-from', iso(-HOUR), '--key-valid-until', iso(HOUR)];
    const [foreign, noTsa] = await Promise.all([
      verify(at('tsa.sig'), ['--trusted-root', at('other-root.json'), ...window]),
      verify(at('tsa.sig'), ['--trusted-root', at('no-tsa-root.json'), ...window]),
    ]);
    expect(foreign.status).toBe(EXIT_CODES.verification);
    expect(errorCode(foreign.stderr)).toBe('TIMESTAMP_UNTRUSTED');
    expect(errorCode(noTsa.stderr)).toBe('TRUST_ROOT_NO_TSA');
  });

  it('rejects bad window flags and mixes as usage errors', async () => {
    const cases: [string[], string][] = [
      [['--key-valid-from', iso(-HOUR)], 'TIMESTAMP_AUTHORITY_MISSING'],
      [['--trusted-root', at('root.json'), '--key-valid-until', 'yesterday'], 'KEY_WINDOW_INVALID'],
      [
        ['--trusted-root', at('root.json'), '--key-valid-from', iso(HOUR), '--key-valid-until', iso(-HOUR)],
        'KEY_WINDOW_INVALID',
      ],
      [['--trusted-root', at('root.json'), '--certificate-identity', 'a@b.c'], 'TRUST_CONFLICT'],
    ];
    const rs = await Promise.all(cases.map(([extra]) => verify(at('tsa.sig'), extra)));
    rs.forEach((r, i) => {
      expect(r.status, r.stderr).toBe(EXIT_CODES.usage);
      expect(errorCode(r.stderr)).toBe(cases[i]![1]);
    });
    const noKey = await runCli(
      [
        'verify',
        at('model'),
        '--bundle',
        at('tsa.sig'),
        '--certificate-identity',
        'a@b.c',
        '--certificate-oidc-issuer',
        'https://x',
        '--key-valid-from',
        iso(-HOUR),
      ],
      { env: ENV },
    );
    expect(errorCode(noKey.stderr)).toBe('KEY_WINDOW_WITHOUT_KEY');
  });
});
