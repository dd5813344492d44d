import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directoryStore, predicateSlug } from '../src/index.ts';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;
const SLSA = 'https://slsa.dev/provenance/v1';
const OMS = 'https://model_signing/signature/v1.0';

function fakeBundle(predicateType: string, n = 0): Uint8Array {
  const stmt = { _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType, predicate: { n } };
  const payload = Buffer.from(JSON.stringify(stmt)).toString('base64');
  return new TextEncoder().encode(
    JSON.stringify({ mediaType: 'x', dsseEnvelope: { payload, payloadType: 'p', signatures: [] } }),
  );
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ms-store-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('directoryStore', () => {
  it('files many bundles per subject and finds them by predicate type', async () => {
    const store = directoryStore(root);
    const p1 = await store.put(DIGEST, SLSA, fakeBundle(SLSA, 1));
    await store.put(DIGEST, SLSA, fakeBundle(SLSA, 2));
    await store.put(DIGEST, OMS, fakeBundle(OMS));
    expect(p1.startsWith(join(root, 'sha256', HEX))).toBe(true);
    expect(p1).toMatch(/slsa\.dev_provenance_v1~[0-9a-f]{8}-[0-9a-f]{16}\.sigstore\.json$/);
    expect(await store.find(DIGEST)).toHaveLength(3);
    const slsa = await store.find(DIGEST, SLSA);
    expect(slsa.map((b) => b.predicateType)).toEqual([SLSA, SLSA]);
    expect(await store.find(DIGEST, OMS)).toHaveLength(1);
    expect(await store.find(`sha256:${'b'.repeat(64)}`)).toHaveLength(0);
  });

  it('is idempotent and leaves no temp files behind', async () => {
    const store = directoryStore(root);
    const a = await store.put(DIGEST, SLSA, fakeBundle(SLSA));
    const b = await store.put(DIGEST, SLSA, fakeBundle(SLSA));
    expect(a).toBe(b);
    expect(readdirSync(join(root, 'sha256', HEX))).toHaveLength(1);
    expect(statSync(a).mode & 0o777).toBe(0o644);
  });

  it('keeps types that sanitize alike apart', () => {
    expect(predicateSlug('https://x.dev/a/b')).not.toBe(predicateSlug('https://x.dev/a.b'));
  });

  it.each([
    ['../etc', 'STORE_BAD_DIGEST'],
    [`sha256:${'a'.repeat(63)}`, 'STORE_BAD_DIGEST'],
    [`sha256:${'g'.repeat(64)}`, 'STORE_BAD_DIGEST'],
    [`sha512:${HEX}`, 'STORE_BAD_DIGEST'],
    [`sha256:${HEX}/../../x`, 'STORE_BAD_DIGEST'],
    [`sha256:${HEX}\0`, 'STORE_BAD_DIGEST'],
  ])('rejects digest %j', async (digest, code) => {
    const store = directoryStore(root);
    await expect(store.find(digest)).rejects.toMatchObject({ code });
    await expect(store.put(digest, SLSA, fakeBundle(SLSA))).rejects.toMatchObject({ code });
  });

  it('skips hostile content with recorded failures instead of crashing', async () => {
    const store = directoryStore(root, { maxBundleBytes: 4096 });
    await store.put(DIGEST, SLSA, fakeBundle(SLSA));
    const dir = join(root, 'sha256', HEX);
    const outside = join(root, 'secret.json');
    writeFileSync(outside, JSON.stringify({ secret: true }));
    writeFileSync(join(dir, 'junk-1.sigstore.json'), 'not json {');
    writeFileSync(join(dir, 'huge-1.sigstore.json'), 'x'.repeat(10_000));
    writeFileSync(join(dir, 'array-1.sigstore.json'), '[1,2]');
    writeFileSync(join(dir, 'deep-1.sigstore.json'), '['.repeat(2000) + ']'.repeat(2000));
    symlinkSync(outside, join(dir, 'link-1.sigstore.json'));
    mkdirSync(join(dir, 'dir-1.sigstore.json'));
    execFileSync('mkfifo', [join(dir, 'fifo-1.sigstore.json')]);
    const found = await store.find(DIGEST);
    expect(found).toHaveLength(1);
    expect(found[0]!.predicateType).toBe(SLSA);
    const codes = (found.failures ?? []).map((f) => f.code).sort();
    expect(codes).toEqual([
      'STORE_BUNDLE_TOO_LARGE',
      'STORE_NOT_A_FILE',
      'STORE_NOT_A_FILE',
      'STORE_NOT_JSON',
      'STORE_NOT_JSON',
      'STORE_NOT_JSON',
      'STORE_SYMLINK',
    ]);
  });

  it('refuses a subject directory that is a symlink out of the root', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'ms-elsewhere-'));
    try {
      writeFileSync(join(elsewhere, 'x-1.sigstore.json'), fakeBundle(SLSA));
      mkdirSync(join(root, 'sha256'));
      symlinkSync(elsewhere, join(root, 'sha256', HEX));
      const store = directoryStore(root);
      const found = await store.find(DIGEST);
      expect(found).toHaveLength(0);
      expect(found.failures?.map((f) => f.code)).toEqual(['STORE_UNSAFE_PATH']);
      await expect(store.put(DIGEST, SLSA, fakeBundle(SLSA))).rejects.toMatchObject({
        code: 'STORE_UNSAFE_PATH',
      });
      expect(readdirSync(elsewhere)).toEqual(['x-1.sigstore.json']);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('caps how many bundles one subject may make it read', async () => {
    const store = directoryStore(root, { maxBundlesPerSubject: 3 });
    for (let i = 0; i < 5; i++) await store.put(DIGEST, SLSA, fakeBundle(SLSA, i));
    const found = await store.find(DIGEST);
    expect(found).toHaveLength(3);
    expect(found.failures?.[0]?.code).toBe('STORE_TOO_MANY_BUNDLES');
  });

  it('returns nothing for an empty or missing root', async () => {
    const store = directoryStore(join(root, 'does-not-exist'));
    const found = await store.find(DIGEST);
    expect(found).toHaveLength(0);
    expect(found.failures ?? []).toHaveLength(0);
  });
});
