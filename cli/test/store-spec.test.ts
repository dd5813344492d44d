import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_STORE_PATH } from '@modelseal/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';
import { errorCode } from './keyless-helpers.ts';

const SUBJECT = `sha256:${'d'.repeat(64)}`;
let dir: string;

beforeAll(() => {
  dir = tempDir();
  const r = cli(['keygen', '--output-key-prefix', join(dir, 'k')]);
  expect(r.status, r.stderr).toBe(0);
});
afterAll(cleanup);

const attest = (...extra: string[]) =>
  cli(
    [
      'attest',
      '--subject',
      `m@${SUBJECT}`,
      '--builder-id',
      'https://ci.example.com',
      '--key',
      join(dir, 'k.key'),
      '-o',
      'json',
      ...extra,
    ],
    {},
    dir,
  );

describe('--store takes a store spec', () => {
  it('files into the default store, a dir: spec and a bare path alike, and finds it again', () => {
    const byDefault = attest();
    expect(byDefault.status, byDefault.stderr).toBe(0);
    expect(JSON.parse(byDefault.stdout).store).toContain(join(DEFAULT_STORE_PATH, 'sha256'));
    expect(existsSync(join(dir, DEFAULT_STORE_PATH, 'sha256', 'd'.repeat(64)))).toBe(true);
    const spec = attest('--store', `dir:${join(dir, 'spec-store')}`);
    expect(spec.status, spec.stderr).toBe(0);
    expect(existsSync(join(dir, 'spec-store', 'sha256', 'd'.repeat(64)))).toBe(true);
    for (const store of [`dir:${join(dir, 'spec-store')}`, join(dir, 'spec-store')]) {
      const v = cli(['verify-attestation', SUBJECT, '--key', join(dir, 'k.pub'), '--store', store], {}, dir);
      expect(v.status, v.stderr).toBe(0);
    }
    // verify-attestation's default store is the same directory attest wrote to
    const v = cli(['verify-attestation', SUBJECT, '--key', join(dir, 'k.pub')], {}, dir);
    expect(v.status, v.stderr).toBe(0);
  });

  it.each([
    ['kubernetes', 'STORE_UNSUPPORTED'],
    ['s3://bucket/x', 'STORE_SPEC_INVALID'],
    ['oci://ghcr.io/acme/x:latest', 'STORE_SPEC_INVALID'],
    ['dir:', 'STORE_SPEC_INVALID'],
  ])('%s is refused with %s (usage) by attest and verify-attestation', (store, code) => {
    const a = attest('--store', store);
    expect(errorCode(a.stderr)).toBe(code);
    expect(a.status).toBe(EXIT_CODES.usage);
    const v = cli(['verify-attestation', SUBJECT, '--key', join(dir, 'k.pub'), '--store', store], {}, dir);
    expect(errorCode(v.stderr)).toBe(code);
    expect(v.status).toBe(EXIT_CODES.usage);
  });

  it('help and docs name the one default store path', () => {
    for (const command of ['attest', 'verify-attestation']) {
      const h = cli([command, '--help']);
      expect(h.stdout.replace(/\s+/g, ' ')).toContain(`default ${DEFAULT_STORE_PATH}`);
    }
    const docs = readFileSync(new URL('../../docs/provenance.md', import.meta.url), 'utf8');
    expect(docs).toContain(`\`${DEFAULT_STORE_PATH}\``);
  });
});
