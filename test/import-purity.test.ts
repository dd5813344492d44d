/**
 * Importing the packages that model manifests, statements and signatures must load no `fs`,
 * `os` or `worker_threads`: only @modelseal/hashing reads model bytes and starts threads. Each
 * import runs in a fresh Node process (test/import-probe.ts), which records what user code
 * resolved and which built-ins Node loaded.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = fileURLToPath(new URL('./import-probe.ts', import.meta.url));

/** `node:fs/promises` is fs too. */
const FORBIDDEN = /^node:(fs|os|worker_threads)(\/|$)/;
/**
 * Built-ins Node itself loaded. `NativeModule fs` is loaded by Node's bootstrap in every process,
 * so fs shows up here only as fs/promises and is otherwise caught by the resolve hook. These also
 * catch loads a built-in makes inside Node (`import 'node:util'` loads worker_threads, for one).
 */
const FORBIDDEN_INTERNAL = /^NativeModule (fs\/promises|os|worker_threads)$/;

interface Probe {
  readonly entry: string;
  readonly edges: readonly (readonly [from: string, to: string])[];
  readonly moduleLoadList: readonly string[];
}

function probe(path: string): Probe {
  const r = spawnSync(process.execPath, [PROBE, `./${path}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as Omit<Probe, 'entry'>;
  return { ...out, entry: new URL(path, `file://${ROOT}`).href };
}

/** A repository path for workspace files, the package name (and file) for dependencies. */
function short(url: string): string {
  const dep = /\/node_modules\/(?!.*\/node_modules\/)((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (dep) return `${dep[1]}/${dep[2]}`;
  return url.startsWith(`file://${ROOT}`) ? url.slice(`file://${ROOT}`.length) : url;
}

/**
 * Each forbidden built-in reachable from the entry, with the shortest import chain to it.
 * `cut` leaves out a module and everything reached only through it.
 */
function forbiddenLoads(p: Probe, cut: (url: string) => boolean = () => false): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const [from, to] of p.edges) next.set(from, [...(next.get(from) ?? []), to]);
  const prev = new Map<string, string | undefined>([[p.entry, undefined]]);
  const queue = [p.entry];
  while (queue.length > 0) {
    const u = queue.shift()!;
    for (const v of next.get(u) ?? []) {
      if (prev.has(v) || cut(v)) continue;
      prev.set(v, u);
      queue.push(v);
    }
  }
  const found = new Map<string, string[]>();
  for (const url of prev.keys()) {
    if (!FORBIDDEN.test(url)) continue;
    const chain: string[] = [];
    for (let u: string | undefined = url; u !== undefined; u = prev.get(u)) chain.unshift(short(u));
    found.set(url, chain);
  }
  return found;
}

const internal = (p: Probe) => p.moduleLoadList.filter((m) => FORBIDDEN_INTERNAL.test(m));
const reached = (p: Probe) => new Set(p.edges.map(([, to]) => short(to)));

function expectPure(path: string): void {
  const p = probe(path);
  // the probe saw the import happen: the package's own dependency was resolved
  expect(reached(p)).toContain('packages/core/src/index.ts');
  expect(Object.fromEntries(forbiddenLoads(p))).toEqual({});
  expect(internal(p)).toEqual([]);
}

describe('import purity', () => {
  it.each(['manifest', 'attest', 'keys', 'policy', 'bom', 'scan', 'pkcs11'])(
    '@modelseal/%s loads no fs, os or worker_threads',
    (pkg) => {
      expectPure(`packages/${pkg}/src/index.ts`);
    },
  );

  it('@modelseal/hashing does load them, so the probe sees what the other tests forbid', () => {
    const p = probe('packages/hashing/src/index.ts');
    expect([...forbiddenLoads(p).keys()]).toEqual(expect.arrayContaining(['node:fs', 'node:os']));
    expect(internal(p)).toEqual(expect.arrayContaining(['NativeModule os']));
    // worker_threads only once a JS hashing thread starts: the native batch needs none (~3 ms to load)
    expect(internal(p)).not.toContain('NativeModule worker_threads');
  });

  it('@modelseal/hashing/threads loads only Node built-ins, the worker protocol and the addon loader, so the CLI can start threads first thing', () => {
    const p = probe('packages/hashing/src/threads.ts');
    const own = [...reached(p)].filter((m) => !m.startsWith('node:'));
    expect(own.sort()).toEqual([
      'packages/hashing/src/native-load.ts',
      'packages/hashing/src/threads.ts',
      'packages/hashing/src/worker-protocol.ts',
    ]);
  });

  it('@modelseal/verify loads no fs, os or worker_threads (it verifies values; loading them is /load)', () => {
    expectPure('packages/verify/src/index.ts');
  });

  it('@modelseal/verify/load is the edge that reads a trusted root file, so the probe sees fs there', () => {
    expect([...forbiddenLoads(probe('packages/verify/src/load.ts')).keys()]).toContain('node:fs');
  });
});
