/**
 * Child of verify.bench.ts: the webhook's cold path in a fresh process. Loads @modelseal/verify,
 * parses the trusted root and prepares it as the admission engine does when a policy arrives,
 * then verifies distinct certificate bundles from bytes through verifyBundle (what the webhook
 * calls). Prints one JSON line: first-bundle ms and the rate over the rest.
 */
import { readFileSync } from 'node:fs';

const t0 = performance.now();
const { parseTrustedRoot, prepareTrust, verifyBundle } = await import('../packages/verify/src/index.ts');
const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  root: unknown;
  identity: { identity: string; issuer: string };
  bundles: unknown[];
};
const bytes = input.bundles.map((b) => new Uint8Array(Buffer.from(JSON.stringify(b))));
const trust = { kind: 'sigstore', trustedRoot: parseTrustedRoot(input.root) } as const;
const tPrep = performance.now();
prepareTrust(trust, input.identity);
const tFirst = performance.now();
await verifyBundle({ bundle: bytes[0]!, trust, identity: input.identity });
const tRest = performance.now();
for (const b of bytes.slice(1)) await verifyBundle({ bundle: b, trust, identity: input.identity });
const end = performance.now();
process.stdout.write(
  `${JSON.stringify({
    loadMs: tPrep - t0,
    prepareMs: tFirst - tPrep,
    firstMs: tRest - tFirst,
    restPerSecond: ((bytes.length - 1) / (end - tRest)) * 1000,
  })}\n`,
);
