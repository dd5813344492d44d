/**
 * `inspect` decodes every bundle in ../shared/vectors: DSSE statements (keys, chains, Fulcio
 * certificates with an empty subject) and message signatures; the malformed `_fail` vectors of
 * the Sigstore conformance suite end in a coded input error, never a crash.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, inPool, runCli } from './keyless-helpers.ts';

function bundles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return bundles(p);
    return /^(model\.sig|bundle.*\.json|.*\.sigstore\.json)$/.test(n) ? [p] : [];
  });
}

describe('inspect over the shared vectors', () => {
  it("decodes model_signing's keyless v1.1.0 bundle (a Fulcio certificate has no subject)", async () => {
    const r = await runCli([
      'inspect',
      `${SHARED_VECTORS}/model-transparency/v1.1.0-sigstore/model.sig`,
      '--output',
      'json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.verified).toBe(false);
    expect(j.signer.chain[0]).toMatchObject({ subject: '', subjectAltName: 'email:stefanb@us.ibm.com' });
  });

  it('every bundle inspects, or (a _fail vector) ends in a coded input error', {
    timeout: 120_000,
  }, async () => {
    const all = bundles(SHARED_VECTORS);
    expect(all.length).toBeGreaterThan(50);
    const results = await inPool(all, 2, (b) => runCli(['inspect', b]));
    const bad = results.flatMap((r, i) => {
      const failVector = /_fail\//.test(all[i] as string);
      const ok = r.status === 0 || (failVector && r.status === EXIT_CODES.input && errorCode(r.stderr));
      return ok ? [] : [`${all[i]}: exit ${r.status} ${r.stderr.slice(0, 200)}`];
    });
    expect(bad).toEqual([]);
    const message = results.find((_, i) => (all[i] as string).includes('happy-path-v0.2'));
    expect(message?.stdout).toContain('message signature over');
  });
});
