import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import { DEFAULT_STORE_PATH, formatStoreSpec, openStore, parseStoreSpec } from '../src/index.ts';

describe('parseStoreSpec', () => {
  it.each([
    ['dir:/var/attest', { kind: 'dir', path: '/var/attest' }],
    ['dir:relative/x', { kind: 'dir', path: 'relative/x' }],
    ['dir:kubernetes', { kind: 'dir', path: 'kubernetes' }],
    ['./store', { kind: 'dir', path: './store' }],
    [DEFAULT_STORE_PATH, { kind: 'dir', path: '.modelseal/attestations' }],
    ['oci:not-a-url', { kind: 'dir', path: 'oci:not-a-url' }],
    ['kubernetes', { kind: 'kubernetes' }],
    [
      'oci://ghcr.io/acme/attestations',
      { kind: 'oci', registry: 'ghcr.io', repository: 'acme/attestations' },
    ],
    ['oci://LOCALHOST:5000/a', { kind: 'oci', registry: 'localhost:5000', repository: 'a' }],
    ['oci://[::1]:5000/m/x_y.z', { kind: 'oci', registry: '[::1]:5000', repository: 'm/x_y.z' }],
  ])('%s', (text, want) => {
    const spec = parseStoreSpec(text);
    expect(spec).toEqual(want);
    // the canonical form parses back to the same value
    expect(parseStoreSpec(formatStoreSpec(spec))).toEqual(want);
  });

  it.each([
    ['', 'empty'],
    ['dir:', 'no directory'],
    ['a\0b', 'NUL'],
    ['x'.repeat(5000), 'too long'],
    ['s3://bucket/x', 'unknown scheme'],
    ['https://ghcr.io/acme', 'unknown scheme'],
    ['oci://', 'no registry'],
    ['oci:///repo', 'no registry'],
    ['oci://ghcr.io', 'no repository'],
    ['oci://ghcr.io/', 'no repository'],
    ['oci://ghcr.io/Acme/Store', 'uppercase repository'],
    ['oci://ghcr.io/acme/store:latest', 'tag'],
    ['oci://ghcr.io/acme/store@sha256:' + 'a'.repeat(64), 'digest'],
    ['oci://ghcr.io/acme//store', 'empty component'],
    ['oci://ghcr.io:99999/acme', 'port out of range'],
    ['oci://-bad-.io/acme', 'bad host'],
    ['oci://user:pw@ghcr.io/acme', 'credentials'],
  ])('%j is STORE_SPEC_INVALID (%s)', (text) => {
    expect(codeOf(() => parseStoreSpec(text))).toBe('STORE_SPEC_INVALID');
  });
});

describe('openStore', () => {
  it('opens a directory store that writes and reads, from a bare path or dir:', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ms-open-'));
    try {
      const a = openStore(root);
      const b = openStore(`dir:${root}`);
      if (a.kind !== 'dir' || b.kind !== 'dir') throw new Error('expected directory stores');
      const digest = `sha256:${'b'.repeat(64)}`;
      await a.store.put(digest, 'https://x.dev/p', new TextEncoder().encode('{}'));
      expect(await b.store.find(digest)).toHaveLength(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('opens the Kubernetes-object index empty, fed by the caller', async () => {
    const s = openStore('kubernetes');
    expect(s.kind).toBe('kubernetes');
    if (s.kind !== 'kubernetes') return;
    expect(s.store.size).toBe(0);
    expect(await s.store.find(`sha256:${'c'.repeat(64)}`)).toEqual([]);
  });

  it('opens an OCI store for oci://registry/repository without touching the network', () => {
    const s = openStore('oci://ghcr.io/acme/attestations');
    expect(s.kind).toBe('oci');
    if (s.kind !== 'oci') return;
    expect(s.store.location).toBe('oci://ghcr.io/acme/attestations');
    expect(codeOf(() => openStore('oci://ghcr.io'))).toBe('STORE_SPEC_INVALID');
  });
});

describe('@modelseal/store loads no Kubernetes client', () => {
  it('has no dependency on @kubernetes/client-node', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'));
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })).not.toContain(
      '@kubernetes/client-node',
    );
  });
});
