import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '@modelseal/core';
import type { RegistryClientOptions } from '@modelseal/oci';
import type { OpenedStore } from './open.ts';

const HEX = /^[0-9a-f]{64}$/;

/** Every subject digest a store holds bundles for (for copying a whole store). */
export async function storeSubjects(
  opened: OpenedStore,
  registry: RegistryClientOptions = {},
): Promise<string[]> {
  switch (opened.kind) {
    case 'dir': {
      let names: string[];
      try {
        names = await readdir(join(opened.store.root, 'sha256'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      return names
        .filter((n) => HEX.test(n))
        .map((n) => `sha256:${n}`)
        .sort();
    }
    case 'oci': {
      const { ociSubjects, registryClient } = await import('@modelseal/oci');
      const spec = opened.spec.kind === 'oci' ? opened.spec : undefined;
      if (spec === undefined) return [];
      return ociSubjects(registryClient(registry), spec);
    }
    case 'kubernetes':
      throw new UsageError({
        code: 'STORE_UNSUPPORTED',
        message: 'the kubernetes store cannot be listed from here; copy from a directory or registry',
      });
    default:
      return opened satisfies never;
  }
}
