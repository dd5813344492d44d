/**
 * What we sign we verify: every file name a POSIX model can hold round-trips, in files and
 * shards mode (a shard is `path:start:end`, offsets read from the right). Names that could
 * reach outside the model are refused with RESOURCE_NAME_INVALID before any file is read.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { omsStatement, serializeStatement } from '@modelseal/attest';
import { createManifest } from '@modelseal/manifest';
import { createSigner } from '@modelseal/sign';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const NAMES = ['a:b.bin', 'x:0:10', 'back\\slash.txt', 'C:', 'dir/y:1:2:3', 'dir/sub\\a:0:4', '...'];

let dir: string;
const f = (n: string) => join(dir, n);
const names = (bundle: string) =>
  JSON.parse(
    Buffer.from(JSON.parse(readFileSync(bundle, 'utf8')).dsseEnvelope.payload, 'base64').toString(),
  ).predicate.resources.map((r: { name: string }) => r.name);

function modelWithNames(name: string): string {
  const m = f(name);
  for (const n of NAMES) {
    mkdirSync(join(m, n, '..'), { recursive: true });
    writeFileSync(join(m, n), `content of ${n}, ten+ bytes`);
  }
  return m;
}

beforeAll(() => {
  dir = tempDir();
  expect(cli(['keygen', '--output-key-prefix', f('k')]).status).toBe(0);
});
afterAll(cleanup);

describe('file names with ":", "\\" and shard-like suffixes', () => {
  it.each([
    ['files', []],
    ['shards', ['--serialization', 'shards', '--shard-size', '8']],
  ])('sign then verify round-trips them in %s mode, and a change is still caught', (mode, extra) => {
    const m = modelWithNames(`m-${mode}`);
    const s = cli(['sign', m, '--key', f('k.key'), ...extra]);
    expect(s.status, s.stderr).toBe(0);
    const signed: string[] = names(join(m, 'model.sig'));
    for (const n of NAMES) {
      if (mode === 'files') expect(signed).toContain(n);
      else expect(signed).toContain(`${n}:0:8`);
    }
    const v = cli(['verify', m, '--key', f('k.pub')]);
    expect(v.status, v.stderr).toBe(0);
    writeFileSync(join(m, 'x:0:10'), 'changed');
    const bad = cli(['verify', m, '--key', f('k.pub'), '--output', 'json']);
    expect(bad.status).toBe(EXIT_CODES.digest);
    expect(JSON.stringify(JSON.parse(bad.stdout).error.details)).toContain('x:0:10');
  });
});

describe('hostile names are refused, with the code', () => {
  const sign = async (resources: { name: string; digest: string }[], shards: boolean) => {
    const serialization = shards
      ? {
          method: 'shards' as const,
          shardSize: 8,
          hashType: 'sha256' as const,
          allowSymlinks: false,
          ignorePaths: [],
        }
      : { method: 'files' as const, hashType: 'sha256' as const, allowSymlinks: false, ignorePaths: [] };
    const statement = omsStatement(
      createManifest({
        modelName: 'm',
        serialization,
        resources: resources.map((r) => ({ ...r, algorithm: shards ? 'sha256-sharded-8' : 'sha256' })),
      }),
    );
    return createSigner({ kind: 'key', privateKeyPem: readFileSync(f('k.key'), 'utf8') }).sign(
      serializeStatement(statement),
    );
  };
  it.each([
    ['../escape', false],
    ['a/../../x', false],
    ['/etc/passwd', false],
    ['a//b', false],
    ['../x:0:8', true],
    ['/abs:0:8', true],
    ['noshard', true],
    ['a:8:0', true],
  ])('%j (shards: %s) -> exit 6, RESOURCE_NAME_INVALID', async (name, shards) => {
    const m = f('target');
    mkdirSync(m, { recursive: true });
    writeFileSync(join(m, 'a'), 'x');
    // a placeholder name is swapped for the hostile one in the signed bytes, past omsStatement's own checks
    const good = await sign(
      [{ name: shards ? 'PLACEHOLDER:0:8' : 'PLACEHOLDER', digest: 'a'.repeat(64) }],
      shards,
    );
    const env = good.dsseEnvelope as { payload: string };
    const text = Buffer.from(env.payload, 'base64')
      .toString()
      .replace(shards ? '"PLACEHOLDER:0:8"' : '"PLACEHOLDER"', JSON.stringify(name));
    const bundle = await createSigner({ kind: 'key', privateKeyPem: readFileSync(f('k.key'), 'utf8') }).sign(
      new TextEncoder().encode(text),
    );
    writeFileSync(f('hostile.sig'), JSON.stringify(bundle));
    const r = cli(['verify', m, '--key', f('k.pub'), '--bundle', f('hostile.sig')]);
    expect(r.status).toBe(EXIT_CODES.input);
    expect(r.stderr).toContain('RESOURCE_NAME_INVALID');
  });
  it('a NUL in a name is refused too', async () => {
    const m = f('nul');
    mkdirSync(m, { recursive: true });
    const good = await sign([{ name: 'PLACEHOLDER', digest: 'a'.repeat(64) }], false);
    const text = Buffer.from((good.dsseEnvelope as { payload: string }).payload, 'base64')
      .toString()
      .replace('"PLACEHOLDER"', '"a\\u0000b"');
    const bundle = await createSigner({ kind: 'key', privateKeyPem: readFileSync(f('k.key'), 'utf8') }).sign(
      new TextEncoder().encode(text),
    );
    writeFileSync(f('nul.sig'), JSON.stringify(bundle));
    const r = cli(['verify', m, '--key', f('k.pub'), '--bundle', f('nul.sig')]);
    expect(r.status).toBe(EXIT_CODES.input);
    expect(r.stderr).toContain('RESOURCE_NAME_INVALID');
  });
});
