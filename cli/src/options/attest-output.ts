import type { Argv } from 'yargs';
import type { BundleOutput } from '../flows/publish.ts';

/** Where a signed attestation goes, shared by `attest` and `scan --attest` so both write alike. */
export interface AttestOutputArgs {
  bundle?: string;
  store?: string | false;
}

export const withAttestOutput = <T>(y: Argv<T>): Argv<T & AttestOutputArgs> =>
  y.option('bundle', { type: 'string', describe: 'write the Sigstore bundle here' }).option('store', {
    describe: 'attestation store: dir:PATH or a path (default .modelseal/attestations; --no-store to skip)',
  }) as Argv<T & AttestOutputArgs>;

/** --bundle alone writes only the bundle; --store names a store; --no-store skips the default one. */
export async function attestOutputFrom(a: AttestOutputArgs): Promise<BundleOutput> {
  const { DEFAULT_STORE_PATH } = await import('@modelseal/store');
  const store =
    a.store === false
      ? undefined
      : typeof a.store === 'string'
        ? a.store
        : a.bundle
          ? undefined
          : DEFAULT_STORE_PATH;
  return { ...(a.bundle ? { bundlePath: a.bundle } : {}), ...(store ? { store } : {}) };
}
