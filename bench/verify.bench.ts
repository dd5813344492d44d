/**
 * Bundle verification throughput, in process, trust material built once:
 *  - key:      model_signing-style key bundles (DSSE, no log) through verifyBundle
 *  - sigstore: keyless bundles from a local Sigstore (Fulcio certificate + SCT, Rekor entry with
 *              SET, inclusion proof and checkpoint, RFC 3161 timestamp) through the blob verifier
 * Baseline, same run: raw crypto.verify of the same signatures over the same PAE bytes.
 * Ratio = baseline verifies/s / bundle verifies/s (how much the full check costs over one ECDSA verify).
 *
 *   pnpm bench verify [--bundles=N] [--seconds=S]
 */

import { spawnSync } from 'node:child_process';
import {
  createHash,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pae } from '../packages/core/src/index.ts';
import { createSigner, keylessSigner } from '../packages/sign/src/index.ts';
import { startLocalSigstore } from '../packages/testkit/src/index.ts';
import {
  createBlobVerifier,
  parseSigstoreBundle,
  parseTrustedRoot,
  verifyBundle,
} from '../packages/verify/src/index.ts';

const statementFor = (i: number) => {
  const digest = createHash('sha256').update(`artifact ${i}`).digest('hex');
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `artifact-${i}`, digest: { sha256: digest } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
      resources: [{ name: 'w.bin', algorithm: 'sha256', digest }],
    },
  };
  return { bytes: new Uint8Array(Buffer.from(JSON.stringify(statement))), digest };
};

interface Sample {
  readonly bundle: Record<string, unknown>;
  readonly bytes: Uint8Array;
  readonly digest: string;
}

/** Runs fn over the samples in a loop for about `seconds`; returns operations per second. */
async function rate(samples: readonly Sample[], seconds: number, fn: (s: Sample) => unknown): Promise<Rate> {
  for (const s of samples.slice(0, 20)) await fn(s); // warm-up: JIT, lazily built material
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (const s of samples) await fn(s);
    ops += samples.length;
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    wall: ops / (Number(process.hrtime.bigint() - start) / 1e9),
    cpu: ops / ((cpu.user + cpu.system) / 1e6),
  };
}

/** per wall-clock second, and per CPU second of this process (neighbours on a shared VM move the first more) */
interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

const sigOf = (b: Record<string, unknown>) =>
  Buffer.from(
    ((b.dsseEnvelope as { signatures: Array<{ sig: string }> }).signatures[0] as { sig: string }).sig,
    'base64',
  );

function baseline(key: KeyObject) {
  return (s: Sample) => {
    if (!cryptoVerify('sha256', pae('application/vnd.in-toto+json', s.bytes), key, sigOf(s.bundle))) {
      throw new Error('baseline verification failed');
    }
  };
}

interface Cold {
  readonly loadMs: number;
  readonly prepareMs: number;
  readonly firstMs: number;
  readonly restPerSecond: number;
}

/** Three fresh processes (bench/verify-cold.ts), each verifying the samples once, in order. */
async function coldPath(
  root: unknown,
  identity: { identity: string; issuer: string },
  samples: readonly Sample[],
): Promise<Cold> {
  const dir = mkdtempSync(join(tmpdir(), 'modelseal-bench-cold-'));
  try {
    const file = join(dir, 'input.json');
    writeFileSync(file, JSON.stringify({ root, identity, bundles: samples.map((s) => s.bundle) }));
    const child = fileURLToPath(new URL('./verify-cold.ts', import.meta.url));
    const runs: Cold[] = [];
    for (let i = 0; i < 3; i++) {
      const r = spawnSync(process.execPath, [child, file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`verify-cold failed: ${r.stderr}`);
      runs.push(JSON.parse(r.stdout) as Cold);
    }
    const mid = (f: (c: Cold) => number) => [...runs.map(f)].sort((a, b) => a - b)[1]!;
    return {
      loadMs: mid((c) => c.loadMs),
      prepareMs: mid((c) => c.prepareMs),
      firstMs: mid((c) => c.firstMs),
      restPerSecond: mid((c) => c.restPerSecond),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(flags: string[]): Promise<void> {
  const n = Number(flags.find((f) => f.startsWith('--bundles='))?.slice(10) ?? 40);
  const seconds = Number(flags.find((f) => f.startsWith('--seconds='))?.slice(10) ?? 5);
  const rows: string[][] = [
    [
      'bundles',
      'bundle verifies/s',
      'per CPU s',
      'vs key bundles',
      'raw crypto.verify/s',
      'ratio (raw/bundle)',
    ],
  ];

  // key bundles
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const keySigner = createSigner({ kind: 'key', privateKeyPem });
  const keySamples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const st = statementFor(i);
    keySamples.push({ bundle: await keySigner.sign(st.bytes), ...st });
  }
  const trust = { kind: 'keys', publicKeys: [publicKeyPem] } as const;
  const keyRate = await rate(keySamples, seconds, (s) => verifyBundle({ bundle: s.bundle, trust }));
  const keyBase = await rate(keySamples, seconds, baseline(publicKey));
  rows.push([
    `key (DSSE, no log) x${n}`,
    keyRate.wall.toFixed(0),
    keyRate.cpu.toFixed(0),
    '1.00',
    keyBase.wall.toFixed(0),
    (keyBase.wall / keyRate.wall).toFixed(1),
  ]);

  // keyless bundles from a local Sigstore
  let cold: Cold | undefined;
  const sigstore = await startLocalSigstore();
  try {
    const identity = { identity: 'bench@example.com', issuer: 'https://oidc.bench.test' };
    const signer = keylessSigner(sigstore.keylessConfig(identity));
    const samples: Sample[] = [];
    for (let i = 0; i < n; i++) {
      const st = statementFor(i);
      samples.push({ bundle: await signer.sign(st.bytes), ...st });
    }
    const verifier = createBlobVerifier({ trustedRoot: parseTrustedRoot(sigstore.trustedRoot), identity });
    const certRate = await rate(samples, seconds, (s) =>
      verifier.verify(parseSigstoreBundle(s.bundle), {
        kind: 'digest',
        sha256: new Uint8Array(Buffer.from(s.digest, 'hex')),
      }),
    );
    // every keyless bundle has its own ephemeral key: take it from the leaf certificate per sample
    const leafKeys = new Map(
      samples.map((s) => {
        const vm = s.bundle.verificationMaterial as { certificate: { rawBytes: string } };
        return [s, baseline(new X509Certificate(Buffer.from(vm.certificate.rawBytes, 'base64')).publicKey)];
      }),
    );
    const certBase = await rate(samples, seconds, (s) => leafKeys.get(s)!(s));
    rows.push([
      `certificate + tlog + TSA x${n}`,
      certRate.wall.toFixed(0),
      certRate.cpu.toFixed(0),
      `${(certRate.wall / keyRate.wall).toFixed(2)} (CPU ${(certRate.cpu / keyRate.cpu).toFixed(2)})`,
      certBase.wall.toFixed(0),
      (certBase.wall / certRate.wall).toFixed(1),
    ]);
    // the webhook's path: bundle bytes through verifyBundle (strict parse, statement, digest)
    const sigstoreTrust = { kind: 'sigstore', trustedRoot: parseTrustedRoot(sigstore.trustedRoot) } as const;
    const asBytes = new Map(samples.map((s) => [s, new Uint8Array(Buffer.from(JSON.stringify(s.bundle)))]));
    const webhookRate = await rate(samples, seconds, (s) =>
      verifyBundle({ bundle: asBytes.get(s)!, trust: sigstoreTrust, identity }),
    );
    rows.push([
      `  same, verifyBundle from bytes`,
      webhookRate.wall.toFixed(0),
      webhookRate.cpu.toFixed(0),
      `${(webhookRate.wall / keyRate.wall).toFixed(2)} (CPU ${(webhookRate.cpu / keyRate.cpu).toFixed(2)})`,
      '',
      '',
    ]);
    cold = await coldPath(sigstore.trustedRoot, identity, samples);
  } finally {
    await sigstore.close();
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((v, c) => v.padEnd(widths[c]!)).join('  ')}\n`);
  if (cold) {
    process.stdout.write(
      `cold path (fresh process, as the webhook starts; medians of 3): load ${cold.loadMs.toFixed(0)} ms, prepare trust ${cold.prepareMs.toFixed(1)} ms, first bundle ${cold.firstMs.toFixed(1)} ms, next ${n - 1} distinct bundles ${cold.restPerSecond.toFixed(0)}/s\n`,
    );
  }
  process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
}
