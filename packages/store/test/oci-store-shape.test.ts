import { type OciStore, ociStore, parseOciStoreSpec, registryClient } from '@modelseal/oci';
import type { Store } from '@modelseal/store';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';

describe('the OCI store as a @modelseal/store Store', () => {
  it('has the same find shape, so openStore can hand it out', () => {
    const store: OciStore = ociStore(registryClient(), { registry: 'r.example.com', repository: 'm' });
    const asStore: Store = store;
    expect(typeof asStore.find).toBe('function');
    expect(store.location).toBe('oci://r.example.com/m');
  });

  it('parses oci://registry/repository and refuses tags, digests and bare hosts', () => {
    expect(parseOciStoreSpec('oci://localhost:5000/models/llama')).toEqual({
      registry: 'localhost:5000',
      repository: 'models/llama',
    });
    expect(parseOciStoreSpec('oci://ghcr.io/org/attestations')).toEqual({
      registry: 'ghcr.io',
      repository: 'org/attestations',
    });
    for (const bad of [
      'dir:/x',
      'oci://',
      'oci://ghcr.io',
      'oci://ghcr.io/a:v1',
      `oci://ghcr.io/a@sha256:${'a'.repeat(64)}`,
      'oci://localhost:5000/a:b',
    ]) {
      expect(
        codeOf(() => parseOciStoreSpec(bad)),
        bad,
      ).toBe('STORE_BAD_SPEC');
    }
    expect(codeOf(() => parseOciStoreSpec('oci://ghcr.io/UPPER'))).toBe('OCI_BAD_REFERENCE');
  });
});
