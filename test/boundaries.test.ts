/**
 * Package boundaries a newcomer can check with one command: what installing the CLI pulls in, and
 * which packages a package's files may import. Read from the files and the installed tree, so a
 * new import or dependency that crosses a line fails here.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Node's lookup: node_modules/<name> in the package's (real) directory or any parent. */
function resolvePackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Every package installing `root` brings along (dependencies and optionalDependencies, recursively;
 * devDependencies are not installed for users). Workspace links and pnpm's .pnpm symlinks are
 * followed to the real directories, whose neighbours are the dependencies pnpm installed for them.
 */
function dependencyClosure(root: string): Map<string, string> {
  const seen = new Map<string, string>();
  const queue = [realpathSync(root)];
  while (queue.length > 0) {
    const dir = queue.pop()!;
    const m = manifestOf(dir);
    for (const name of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) {
      if (seen.has(name)) continue;
      const found = resolvePackage(name, dir);
      // an optional dependency for another platform is legitimately absent
      if (found === undefined) {
        if (m.optionalDependencies?.[name] !== undefined) continue;
        throw new Error(`${name} (needed by ${m.name ?? dir}) is not installed; run ./pnpm install`);
      }
      seen.set(name, found);
      queue.push(found);
    }
  }
  return seen;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || f.startsWith('.')) return [];
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(c|m)?[jt]s$/.test(f) ? [p] : [];
  });
}

/** Module specifiers of static imports, re-exports, dynamic import() and require(). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

/** Files under `dir` that import package `pkg` (any subpath) or a file inside directory `forbiddenDir`. */
function importersOf(dir: string, pkg: string, forbiddenDir: string): string[] {
  const hits: string[] = [];
  for (const file of sourceFiles(dir)) {
    for (const spec of importsOf(file)) {
      const byName = spec === pkg || spec.startsWith(`${pkg}/`);
      const target = spec.startsWith('.') ? resolve(dirname(file), spec) : undefined;
      const byPath = target !== undefined && !relative(forbiddenDir, target).startsWith('..');
      if (byName || byPath) hits.push(`${relative(REPO, file)} imports ${spec}`);
    }
  }
  return hits;
}

describe('what installing the CLI pulls in', () => {
  it('the CLI dependency closure has no @kubernetes/client-node', () => {
    const cli = dependencyClosure(join(REPO, 'cli'));
    // the walk reaches through workspace links into registry packages
    expect([...cli.keys()]).toEqual(
      expect.arrayContaining(['@modelseal/admission', '@modelseal/verify', 'yargs']),
    );
    expect(cli.has('@sigstore/verify')).toBe(true);
    expect(cli.has('@kubernetes/client-node')).toBe(false);
    expect(cli.has('@modelseal/webhook')).toBe(false);
    // and it would have seen client-node: the webhook's closure has it
    expect(dependencyClosure(join(REPO, 'webhook')).has('@kubernetes/client-node')).toBe(true);
  });
});

describe('imports across package lines', () => {
  it('no file under cli/ imports the webhook package or a file of webhook/', () => {
    const webhookDir = join(REPO, 'webhook');
    expect(importersOf(join(REPO, 'cli'), '@modelseal/webhook', webhookDir)).toEqual([]);
    // the scanner does see the CLI's imports: the admission engine is used by `policy test`
    expect(
      importersOf(join(REPO, 'cli'), '@modelseal/admission', join(REPO, 'packages/admission')),
    ).not.toEqual([]);
    // and relative paths into a directory count: test/ reaches into webhook/ on purpose
    expect(importersOf(join(REPO, 'test'), '@modelseal/webhook', webhookDir)).not.toEqual([]);
  });

  it('the admission engine imports neither the webhook nor the Kubernetes client', () => {
    const admission = join(REPO, 'packages/admission/src');
    expect(importersOf(admission, '@modelseal/webhook', join(REPO, 'webhook'))).toEqual([]);
    expect(importersOf(admission, '@kubernetes/client-node', join(REPO, 'node_modules/@kubernetes'))).toEqual(
      [],
    );
  });
});
