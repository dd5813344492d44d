/**
 * `--trust_config`, as model_signing documents it for a private Sigstore: one ClientTrustConfig
 * file names the services `sign sigstore` uses and the root `verify sigstore` trusts. Run as
 * processes against a local Sigstore (Fulcio, Rekor, TSA on 127.0.0.1).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSigstore, startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, runCli } from './keyless-helpers.ts';

const MEDIA = 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json';
const ID_FLAGS = [
  '--identity',
  'https://ci.example/release',
  '--identity_provider',
  'https://oidc.ci.example',
];

describe('--trust_config (ClientTrustConfig) for sign sigstore and verify sigstore', () => {
  let ss: LocalSigstore;
  let dir: string;
  let model: string;
  const file = (name: string, doc: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return p;
  };
  let config: string;
  let env: NodeJS.ProcessEnv;
  // model_signing's default bundle is ./model.sig in the current directory: name one in the temp dir
  let ID: string[];

  beforeAll(async () => {
    ss = await startLocalSigstore();
    dir = mkdtempSync(join(tmpdir(), 'modelseal-tc-'));
    model = join(dir, 'model');
    cpSync('examples/sample-model', model, { recursive: true });
    config = file('ctc.json', {
      mediaType: MEDIA,
      trustedRoot: ss.trustedRoot,
      signingConfig: ss.signingConfig,
    });
    const token = ss.mintToken({ identity: 'https://ci.example/release', issuer: 'https://oidc.ci.example' });
    env = { ...process.env, SIGSTORE_ID_TOKEN: token, ACTIONS_ID_TOKEN_REQUEST_URL: '' };
    ID = [...ID_FLAGS, '--signature', join(dir, 'model.sig')];
  });
  afterAll(async () => {
    await ss?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs with its signingConfig and verifies with its trustedRoot; a changed file fails', async () => {
    const s = await runCli(
      ['sign', 'sigstore', model, '--trust_config', config, '--signature', join(dir, 'model.sig')],
      {
        env,
      },
    );
    expect(s.status, s.stderr).toBe(0);
    const v = await runCli(['verify', 'sigstore', model, '--trust_config', config, ...ID]);
    expect(v.status, v.stderr).toBe(0);
    // the same bundle against the public-good root: not trusted
    const publicGood = await runCli(['verify', 'sigstore', model, ...ID]);
    expect(publicGood.status).toBe(EXIT_CODES.verification);
    const copy = join(dir, 'tampered');
    cpSync(model, copy, { recursive: true });
    writeFileSync(join(copy, 'config.json'), '{"changed": true}\n');
    const t = await runCli(['verify', 'sigstore', copy, '--trust_config', config, ...ID]);
    expect(t.status).toBe(EXIT_CODES.digest);
    // cosign's spelling reads the same file
    const dashed = await runCli(['verify', model, '--trust-config', config, ...ID]);
    expect(dashed.status, dashed.stderr).toBe(0);
  });

  it('refuses a file that is not a ClientTrustConfig, naming what is wrong (exit 6)', async () => {
    const cases: [string, unknown, string][] = [
      ['wrong-media.json', { mediaType: 'x', trustedRoot: ss.trustedRoot }, 'TRUST_CONFIG_INVALID'],
      ['bare-root.json', ss.trustedRoot, 'TRUST_CONFIG_INVALID'],
      ['no-root.json', { mediaType: MEDIA, signingConfig: ss.signingConfig }, 'TRUST_CONFIG_INVALID'],
      ['array.json', [], 'TRUST_CONFIG_INVALID'],
      ['bad-root.json', { mediaType: MEDIA, trustedRoot: { mediaType: 'nope' } }, 'TRUST_ROOT_MEDIA_TYPE'],
      [
        'truncated.json',
        JSON.stringify({ mediaType: MEDIA, trustedRoot: ss.trustedRoot }).slice(0, 50),
        'JSON_MALFORMED',
      ],
    ];
    for (const [name, doc, code] of cases) {
      const r = await runCli(['verify', 'sigstore', model, '--trust_config', file(name, doc), ...ID]);
      expect(errorCode(r.stderr), `${name}: ${r.stderr}`).toBe(code);
      expect(r.status).toBe(EXIT_CODES.input);
    }
    const missing = await runCli([
      'verify',
      'sigstore',
      model,
      '--trust_config',
      join(dir, 'absent.json'),
      ...ID,
    ]);
    expect(missing.status).toBe(EXIT_CODES.not_found);
  });

  it('signing needs its signingConfig; flags that would say the same thing twice are usage errors', async () => {
    const rootOnly = file('root-only.json', { mediaType: MEDIA, trustedRoot: ss.trustedRoot });
    const s = await runCli(
      ['sign', 'sigstore', model, '--trust_config', rootOnly, '--signature', join(dir, 'x.sig')],
      {
        env,
      },
    );
    expect(errorCode(s.stderr)).toBe('TRUST_CONFIG_INVALID');
    expect(s.stderr).toContain('no signingConfig');
    const both = await runCli(
      [
        'sign',
        model,
        '--trust-config',
        config,
        '--signing-config',
        file('sc.json', ss.signingConfig),
        '--bundle',
        join(dir, 'y.sig'),
      ],
      { env },
    );
    expect(errorCode(both.stderr)).toBe('USAGE_CONFLICT');
    expect(both.status).toBe(EXIT_CODES.usage);
    const roots = await runCli([
      'verify',
      model,
      '--trust-config',
      config,
      '--trusted-root',
      file('r.json', ss.trustedRoot),
      ...ID,
    ]);
    expect(errorCode(roots.stderr)).toBe('TRUST_ROOT_CONFLICT');
    expect(roots.status).toBe(EXIT_CODES.usage);
  });
});
