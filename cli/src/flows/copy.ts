import { type ErrorKind, isModelsealError, ModelsealError, sha256Hex, UsageError } from '@modelseal/core';
import type { RegistryClientOptions } from '@modelseal/oci';
import { cliStore } from '../options/store.ts';
import { isDigestRef } from './subject.ts';

export interface CopyOptions {
  readonly from: string;
  readonly to: string;
  /** subject digests; empty with `all` */
  readonly subjects: readonly string[];
  readonly all: boolean;
  readonly registry: RegistryClientOptions;
}

export interface CopyEntry {
  readonly subject: string;
  readonly predicateType?: string;
  readonly from: string;
  readonly to?: string;
}

export interface CopyResult {
  readonly copied: readonly CopyEntry[];
  /** already in the destination, byte for byte */
  readonly present: readonly CopyEntry[];
  readonly failures: readonly {
    readonly subject: string;
    readonly code: string;
    readonly message: string;
    /** decides the exit code of the whole copy */
    readonly kind: ErrorKind;
  }[];
}

/**
 * Attestations from one store to another (a directory and a registry, either way: air-gapped
 * mirrors), for some subjects or all. Bundles are copied as bytes, never re-signed or verified
 * here (the reader verifies); one already in the destination is not copied twice.
 */
export async function copyAttestations(o: CopyOptions): Promise<CopyResult> {
  const { openStore, storeSubjects } = await import('@modelseal/store');
  if (o.all === o.subjects.length > 0) {
    throw new UsageError({
      code: 'USAGE_CONFLICT',
      message: 'give --subject sha256:<hex> (repeatable) or --all',
    });
  }
  for (const s of o.subjects) {
    if (!isDigestRef(s))
      throw new UsageError({
        code: 'SUBJECT_INVALID',
        message: `--subject ${s.slice(0, 100)} is not sha256:<64 hex>`,
      });
  }
  const from = await cliStore(o.from, o.registry);
  const to = await cliStore(o.to, o.registry);
  const subjects = o.all
    ? await storeSubjects(openStore(o.from, { registry: o.registry }), o.registry)
    : o.subjects.map((s) => s.toLowerCase());
  const copied: CopyEntry[] = [];
  const present: CopyEntry[] = [];
  const failures: CopyResult['failures'][number][] = [];
  for (const subject of subjects) {
    try {
      const bundles = await from.find(subject);
      for (const f of bundles.failures ?? [])
        failures.push({ subject, code: f.code, message: f.message, kind: 'input' });
      if (bundles.length === 0) continue;
      const have = new Set((await to.find(subject)).map((b) => sha256Hex(b.bundle)));
      for (const b of bundles) {
        const entry = {
          subject,
          ...(b.predicateType ? { predicateType: b.predicateType } : {}),
          from: b.source,
        };
        if (have.has(sha256Hex(b.bundle))) {
          present.push(entry);
          continue;
        }
        if (b.predicateType === undefined) {
          failures.push({
            subject,
            code: 'PREDICATE_TYPE_UNKNOWN',
            message: `${b.source}: no predicate type to file it under`,
            kind: 'input',
          });
          continue;
        }
        copied.push({ ...entry, to: await to.put(subject, b.predicateType, b.bundle) });
        have.add(sha256Hex(b.bundle));
      }
    } catch (e) {
      if (!isModelsealError(e)) throw e;
      failures.push({ subject, code: e.code, message: e.message, kind: e.kind });
    }
  }
  return { copied, present, failures };
}

/** A copy that left something behind fails, with the first failure's code. */
export function checkComplete(r: CopyResult): void {
  const first = r.failures[0];
  if (first === undefined) return;
  throw new ModelsealError(first.kind, {
    code: first.code,
    message: `copied ${r.copied.length} bundle(s), but ${r.failures.length} could not be copied:\n${r.failures
      .map((f) => `  - ${f.subject}: [${f.code}] ${f.message}`)
      .join('\n')}`,
    details: { copied: r.copied.length, failures: r.failures },
  });
}
