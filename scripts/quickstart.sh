#!/usr/bin/env bash
# Quick start, command 1: install everything locally (Node 24 if needed, pnpm, deps), then run the
# demo on the bundled sample model: sign, verify, tamper and fail, and admit/deny a sample Pod.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/bootstrap.sh"
exec "$root/pnpm" --silent demo
