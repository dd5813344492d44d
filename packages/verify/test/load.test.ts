import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindCodeOf as codeOf } from '../../../test/codes.ts';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { publicGoodTrustedRoot, verifyBundle } from '../src/index.ts';
import { loadTrustedRoot, TRUSTED_ROOT_MAX_BYTES } from '../src/load.ts';

const PUBLIC_GOOD = new URL('../src/trust/public-good.trusted_root.json', import.meta.url);
let dir: string;
const at = (f: string) => join(dir, f);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-load-root-'));
  writeFileSync(at('root.json'), readFileSync(PUBLIC_GOOD));
  writeFileSync(at('empty-object.json'), '{}');
  writeFileSync(at('garbage.json'), '{"mediaType": ');
  mkdirSync(at('a-dir'));
  execFileSync('mkfifo', [at('fifo')]);
  writeFileSync(at('huge.json'), '');
  truncateSync(at('huge.json'), TRUSTED_ROOT_MAX_BYTES + 1);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadTrustedRoot', () => {
  it('without a path is the shipped public-good root, one object for every caller', () => {
    expect(loadTrustedRoot()).toBe(publicGoodTrustedRoot());
    expect(loadTrustedRoot().tlogs.length).toBeGreaterThan(0);
  });

  it('a file is parsed into a root that verifies a keyless bundle', async () => {
    const root = loadTrustedRoot(at('root.json'));
    expect(root).not.toBe(publicGoodTrustedRoot());
    const r = await verifyBundle({
      bundle: readFileSync(`${SHARED_VECTORS}/model-transparency/v1.1.0-sigstore/model.sig`),
      trust: { kind: 'sigstore', trustedRoot: root },
      identity: { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
    });
    expect(r.signer).toMatchObject({ kind: 'certificate', identity: 'stefanb@us.ibm.com' });
  });

  it.each([
    ['a missing file', 'missing.json', 'not_found:FILE_NOT_FOUND'],
    ['a directory', 'a-dir', 'input:NOT_A_FILE'],
    ['a FIFO (without hanging)', 'fifo', 'input:NOT_A_FILE'],
    ['a file over the cap', 'huge.json', 'input:FILE_TOO_LARGE'],
    ['truncated JSON', 'garbage.json', 'input:JSON_MALFORMED'],
    ['JSON that is no trusted root', 'empty-object.json', 'input:TRUST_ROOT_MEDIA_TYPE'],
  ])('refuses %s with a code', (_what, file, code) => {
    expect(codeOf(() => loadTrustedRoot(at(file)))).toBe(code);
  });
});
