import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, inPool, runCli } from './keyless-helpers.ts';

const ROOT = `${SHARED_VECTORS}/sigstore-conformance`;
const CASES = join(ROOT, 'bundle-verify');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

interface Case {
  readonly name: string;
  readonly shouldFail: boolean;
  readonly artifact: string;
  readonly args: readonly string[];
}

function loadCases(): Case[] {
  return readdirSync(CASES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = join(CASES, d.name);
      const has = (f: string) => existsSync(join(dir, f));
      const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim();
      const args = ['--bundle', join(dir, 'bundle.sigstore.json')];
      if (has('trusted_root.json')) args.push('--trusted-root', join(dir, 'trusted_root.json'));
      if (has('key.pub')) args.push('--key', join(dir, 'key.pub'));
      else {
        args.push('--certificate-identity', has('identity') ? read('identity') : DEFAULT_IDENTITY);
        args.push('--certificate-oidc-issuer', has('issuer') ? read('issuer') : DEFAULT_ISSUER);
      }
      return {
        name: d.name,
        shouldFail: d.name.endsWith('_fail'),
        artifact: has('artifact') ? join(dir, 'artifact') : join(ROOT, 'a.txt'),
        args,
      };
    });
}

const cases = existsSync(CASES) ? loadCases() : [];
const failExits = new Set<number>([
  EXIT_CODES.verification,
  EXIT_CODES.input,
  EXIT_CODES.digest,
  EXIT_CODES.usage,
]);

describe('verify-blob against every sigstore-conformance bundle-verify case', () => {
  it('has the vectors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(70);
    expect(cases.some((c) => c.shouldFail)).toBe(true);
    expect(cases.some((c) => !c.shouldFail)).toBe(true);
  });

  it('accepts the good cases and rejects every _fail case, by file and by sha256:<hex>', async () => {
    const runs = cases.flatMap((c) => {
      const digest = createHash('sha256').update(readFileSync(c.artifact)).digest('hex');
      return [c.artifact, `sha256:${digest}`].map((target) => ({ c, target }));
    });
    const outcomes = await inPool(runs, 2, async ({ c, target }) => {
      const r = await runCli(['verify-blob', target, ...c.args]);
      return { name: c.name, target, shouldFail: c.shouldFail, r };
    });
    const wrong = outcomes.filter(({ shouldFail, r }) =>
      shouldFail ? r.status === 0 || !failExits.has(r.status ?? -1) || !errorCode(r.stderr) : r.status !== 0,
    );
    expect(
      wrong.map(
        ({ name, target, r }) => `${name} ${target.slice(0, 12)} exit=${r.status} ${r.stderr.slice(0, 200)}`,
      ),
    ).toEqual([]);
    const good = outcomes.filter((o) => !o.shouldFail);
    for (const o of good) expect(o.r.stderr).toMatch(/Verified OK/);
    expect(outcomes).toHaveLength(cases.length * 2);
  }, 900_000);
});
