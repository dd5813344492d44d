/**
 * deploy/Dockerfile builds for real, with Debian's buildah (no daemon: vfs storage in a scratch
 * directory, chroot isolation, as root), from nothing pulled from a container registry (both
 * stages are FROM scratch over deploy/image/rootfs.sh's Node). The image then runs the webhook
 * over HTTPS on 127.0.0.1 as uid 65532 and answers admissions, and holds the CLI its verifier
 * init containers run. Skips, saying so, only where buildah is not installed (scripts/ci-apt.sh
 * installs it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryStore } from '@modelseal/store';
import { afterAll, describe, expect, it } from 'vitest';
import { D1, D2, imageVolume, podSpec, review, workload } from '../packages/admission/test/reviews.ts';
import { OMS, policyDoc, testSigner } from '../packages/admission/test/signing.ts';
import { listeningPort } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TAG = 'localhost/modelseal-webhook:test';
const probe = spawnSync('buildah', ['--version'], { encoding: 'utf8' });
const why =
  probe.error || probe.status !== 0
    ? 'buildah is not installed (scripts/ci-apt.sh installs it)'
    : process.getuid?.() !== 0
      ? 'buildah needs root here (chroot isolation without a user namespace)'
      : '';
if (why) console.warn(`skipped the image build: ${why}`);

let work: string | undefined;
let container: string | undefined;
let child: ChildProcess | undefined;
let tls: TlsFixture | undefined;

const buildah = (args: readonly string[], timeout = 120_000) => {
  const r = spawnSync(
    'buildah',
    ['--root', join(work!, 'storage'), '--runroot', join(work!, 'run'), '--storage-driver', 'vfs', ...args],
    { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024, cwd: REPO },
  );
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ?? ''}` };
};

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
  if (container) buildah(['rm', container]);
  tls?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(why !== '')('deploy/Dockerfile with buildah', () => {
  it('builds from scratch, runs as 65532, and the webhook in it answers over HTTPS', async () => {
    const rootfs = spawnSync('bash', [join(REPO, 'deploy/image/rootfs.sh')], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(rootfs.status, rootfs.stderr).toBe(0);
    work = mkdtempSync(join(tmpdir(), 'modelseal-image-'));
    // a registry reached through a TLS proxy needs its CA: handed in as a build secret, never a layer
    const ca = process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';
    const t0 = performance.now();
    const built = buildah(
      [
        ...['bud', '--isolation', 'chroot', '--layers=false'],
        ...(existsSync(ca) ? ['--secret', `id=npm-ca,src=${ca}`] : []),
        ...['-f', 'deploy/Dockerfile', '-t', TAG, '.'],
      ],
      900_000,
    );
    expect(built.status, built.stderr.slice(-4000)).toBe(0);
    console.info(`image built in ${Math.round((performance.now() - t0) / 1000)} s`);

    const cfg = JSON.parse(buildah(['inspect', '--type', 'image', TAG]).stdout).OCIv1.config;
    expect(cfg.User).toBe('65532:65532');
    expect(cfg.Entrypoint).toEqual(['/nodejs/bin/node', 'webhook/src/main.ts']);
    expect(cfg.WorkingDir).toBe('/app');

    container = buildah(['from', TAG]).stdout.trim();
    expect(container).not.toBe('');
    const run = (cmd: string[]) => buildah(['run', '--isolation', 'chroot', container!, '--', ...cmd]);
    // the CLI the verifier init containers run (VERIFIER_COMMAND), and no tests shipped
    const version = run(['/nodejs/bin/node', '/app/cli/src/bin.ts', '--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe('0.1.0');
    const layout = run([
      '/nodejs/bin/node',
      '-e',
      "const fs = require('fs'); console.log(JSON.stringify([process.getuid(), fs.existsSync('/app/cli/test'), fs.existsSync('/app/node_modules/.pnpm'), fs.existsSync('/opt/pnpm')]))",
    ]);
    expect(JSON.parse(layout.stdout)).toEqual([65532, false, true, false]);

    // the webhook as the image runs it, with a policy, a store and TLS mounted in
    tls = makeTlsFixture();
    const signer = testSigner();
    const cfgDir = join(work, 'cfg');
    mkdirSync(cfgDir);
    await directoryStore(join(cfgDir, 'store')).put(D1, OMS, await signer.attest(D1));
    writeFileSync(join(cfgDir, 'policy.json'), JSON.stringify(policyDoc('release', { k: signer })));
    spawnSync('chmod', ['-R', 'a+rX', cfgDir, tls.dir]);
    child = spawn(
      'buildah',
      [
        ...['--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs'],
        ...['run', '--isolation', 'chroot', '-v', `${tls.dir}:/tls:ro`, '-v', `${cfgDir}:/cfg:ro`, container],
        ...['--', '/nodejs/bin/node', 'webhook/src/main.ts'],
        ...[
          `--tls-cert=/tls/${tls.certFile.split('/').at(-1)}`,
          `--tls-key=/tls/${tls.keyFile.split('/').at(-1)}`,
        ],
        ...['--port=0', '--host=127.0.0.1', '--policy-file=/cfg/policy.json', '--store-dir=/cfg/store'],
        '--shutdown-delay-ms=0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const port = await listeningPort(child);
    const answer = async (digest: string) => {
      const r = await send(
        port,
        tls!.ca,
        '/validate',
        JSON.stringify(review(workload('Pod', podSpec([imageVolume('m', `r.example/m@${digest}`)])))),
      );
      expect(r.status).toBe(200);
      return JSON.parse(r.body).response;
    };
    expect((await answer(D1)).allowed).toBe(true);
    const denied = await answer(D2);
    expect(denied.allowed).toBe(false);
    expect(denied.status.message).toContain(`digest ${D2}`);
  }, 1_200_000);
});
