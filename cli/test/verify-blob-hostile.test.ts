import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, inPool, runCli } from './keyless-helpers.ts';

const CONF = `${SHARED_VECTORS}/sigstore-conformance`;
const GOOD = `${CONF}/bundle-verify/happy-path-v0.3/bundle.sigstore.json`;
const ID =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISS = 'https://token.actions.githubusercontent.com';
let dir: string;
const f = (n: string) => join(dir, n);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-vb-'));
  const good = readFileSync(GOOD, 'utf8');
  const root = JSON.parse(
    readFileSync(`${CONF}/bundle-verify/intoto-with-custom-trust-root/trusted_root.json`, 'utf8'),
  );
  writeFileSync(f('truncated.json'), good.slice(0, good.length / 2));
  writeFileSync(f('empty.json'), '');
  writeFileSync(f('array.json'), '[]');
  writeFileSync(f('deep.json'), `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
  writeFileSync(f('binary.json'), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
  writeFileSync(f('no-content.json'), JSON.stringify({ ...JSON.parse(good), messageSignature: undefined }));
  writeFileSync(
    f('root-no-start.json'),
    JSON.stringify({
      ...root,
      tlogs: [{ ...root.tlogs[0], publicKey: { ...root.tlogs[0].publicKey, validFor: {} } }],
    }),
  );
  writeFileSync(
    f('root-inverted.json'),
    JSON.stringify({
      ...root,
      certificateAuthorities: [
        {
          ...root.certificateAuthorities[0],
          validFor: { start: '2030-01-01T00:00:00Z', end: '2020-01-01T00:00:00Z' },
        },
      ],
    }),
  );
  writeFileSync(f('root-garbage.json'), '{"mediaType": 5}');
  writeFileSync(f('not-a-key.pem'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
  symlinkSync('/etc', f('dir-link'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (bundle: string, artifact = `${CONF}/a.txt`) => [
  'verify-blob',
  artifact,
  '--bundle',
  bundle,
  '--certificate-identity',
  ID,
  '--certificate-oidc-issuer',
  ISS,
];

describe('verify-blob meets malformed, truncated and hostile input with codes, never a crash', () => {
  it('rejects each hostile input with its code and exit status', async () => {
    const cases: Array<[string, string[], number, string]> = [
      ['truncated bundle', base(f('truncated.json')), EXIT_CODES.input, 'JSON_MALFORMED'],
      ['empty bundle', base(f('empty.json')), EXIT_CODES.input, 'JSON_EMPTY'],
      ['bundle is an array', base(f('array.json')), EXIT_CODES.input, 'BUNDLE_INVALID'],
      ['deeply nested bundle', base(f('deep.json')), EXIT_CODES.input, 'JSON_TOO_DEEP'],
      ['binary bundle', base(f('binary.json')), EXIT_CODES.input, 'JSON_MALFORMED'],
      ['bundle without content', base(f('no-content.json')), EXIT_CODES.input, 'BUNDLE_INVALID'],
      ['missing bundle', base(f('nope.json')), EXIT_CODES.not_found, 'FILE_NOT_FOUND'],
      ['missing artifact', base(GOOD, f('nope.bin')), EXIT_CODES.not_found, 'FILE_NOT_FOUND'],
      ['artifact is a directory', base(GOOD, f('dir-link')), EXIT_CODES.input, 'NOT_A_FILE'],
      ['short digest', base(GOOD, 'sha256:abcd'), EXIT_CODES.usage, 'DIGEST_ARG_INVALID'],
      ['non-hex digest', base(GOOD, `sha256:${'z'.repeat(64)}`), EXIT_CODES.usage, 'DIGEST_ARG_INVALID'],
      [
        'root without validity start',
        [...base(GOOD), '--trusted-root', f('root-no-start.json')],
        EXIT_CODES.input,
        'TRUST_ROOT_VALIDITY',
      ],
      [
        'root ending before it starts',
        [...base(GOOD), '--trusted-root', f('root-inverted.json')],
        EXIT_CODES.input,
        'TRUST_ROOT_VALIDITY',
      ],
      [
        'root of the wrong type',
        [...base(GOOD), '--trusted-root', f('root-garbage.json')],
        EXIT_CODES.input,
        'TRUST_ROOT_MEDIA_TYPE',
      ],
      [
        'missing root',
        [...base(GOOD), '--trusted-root', f('nope-root.json')],
        EXIT_CODES.not_found,
        'FILE_NOT_FOUND',
      ],
      [
        'repeated root flag',
        [...base(GOOD), '--trusted-root', GOOD, '--trusted-root', GOOD],
        EXIT_CODES.usage,
        'FLAG_REPEATED',
      ],
      [
        'broken identity regexp',
        [
          'verify-blob',
          `${CONF}/a.txt`,
          '--bundle',
          GOOD,
          '--certificate-identity-regexp',
          '(',
          '--certificate-oidc-issuer',
          ISS,
        ],
        EXIT_CODES.usage,
        'IDENTITY_REGEXP_INVALID',
      ],
      [
        'identity and regexp together',
        [...base(GOOD), '--certificate-identity-regexp', '.*'],
        EXIT_CODES.usage,
        'IDENTITY_CONFLICT',
      ],
      [
        'key that is not a key',
        ['verify-blob', `${CONF}/a.txt`, '--bundle', GOOD, '--key', f('not-a-key.pem')],
        EXIT_CODES.input,
        'PUBLIC_KEY_INVALID',
      ],
      [
        'certificate bundle with --key',
        [
          'verify-blob',
          `${CONF}/a.txt`,
          '--bundle',
          GOOD,
          '--key',
          `${CONF}/bundle-verify/managed-key-happy-path/key.pub`,
        ],
        EXIT_CODES.verification,
        'BUNDLE_NOT_KEY_SIGNED',
      ],
    ];
    const results = await inPool(cases, 2, ([, args]) => runCli(args));
    results.forEach((r, i) => {
      const [name, , status, code] = cases[i]!;
      expect({ name, status: r.status, code: errorCode(r.stderr) }).toEqual({ name, status, code });
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack traces
    });
  });
});
