/**
 * `node packages/testkit/src/serve.ts [dir] [--identity ID --issuer URL]` starts a local Sigstore,
 * writes trusted_root.json, signing_config.json and (with --identity) token.txt into dir, prints
 * the URLs as JSON on stdout, and runs until SIGINT/SIGTERM. For demos and manual testing only.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalSigstore } from './local-sigstore.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { identity: { type: 'string' }, issuer: { type: 'string', default: 'https://oidc.local.test' } },
});
const dir = resolve(positionals[0] ?? '.modelseal/local-sigstore');
mkdirSync(dir, { recursive: true });
const sigstore = await startLocalSigstore();
writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot, null, 2));
writeFileSync(join(dir, 'signing_config.json'), JSON.stringify(sigstore.signingConfig, null, 2));
const files: Record<string, string> = {
  trustedRoot: join(dir, 'trusted_root.json'),
  signingConfig: join(dir, 'signing_config.json'),
};
if (values.identity) {
  files.token = join(dir, 'token.txt');
  // a signing credential for the local instance only: owner-readable, never printed
  writeFileSync(files.token, sigstore.mintToken({ identity: values.identity, issuer: values.issuer! }), {
    mode: 0o600,
  });
  chmodSync(files.token, 0o600);
}
process.stdout.write(
  `${JSON.stringify({ fulcioUrl: sigstore.fulcioUrl, rekorUrl: sigstore.rekorUrl, tsaUrl: sigstore.tsaUrl, ...files })}\n`,
);
const stop = () => {
  sigstore.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
