#!/usr/bin/env bash
# Installs the Debian packages the tests run against: docker-registry (Distribution 2.8) and
# skopeo for the OCI tests, softhsm2 (a software PKCS#11 token) and opensc (pkcs11-tool) for the
# hardware-key tests, buildah, which test/image-build.test.ts builds deploy/Dockerfile with
# (no daemon), and b3sum (BLAKE3 digests checked against the reference tool). Idempotent: does
# nothing when all commands exist. Root runs apt-get directly; anyone else needs sudo. Meant to be
# sourced or called from .ci/run before the tests.
set -euo pipefail
say() { printf 'ci-apt: %s\n' "$*" >&2; }

need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v b3sum >/dev/null 2>&1 || need+=(b3sum)
if [ "${#need[@]}" -eq 0 ]; then
  say "docker-registry, skopeo, softhsm2, opensc, buildah and b3sum already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  say "need root or sudo to install ${need[*]}; the tests that need them will be skipped"
  exit 1
fi

say "installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
# the package's service is not used by the tests, which start their own registry on 127.0.0.1
command -v docker-registry >/dev/null && command -v skopeo >/dev/null
command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null && command -v buildah >/dev/null
command -v b3sum >/dev/null
say "installed: $(docker-registry --version 2>/dev/null | head -1); $(skopeo --version); softhsm2 $(softhsm2-util --version); $(buildah --version); $(b3sum --version)"
