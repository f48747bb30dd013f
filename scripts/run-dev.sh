#!/usr/bin/env bash
# Builds everything and runs traild in the foreground on config/traild-dev.yaml, with its
# sockets and files under ./var/. Stop it with Ctrl-C (SIGINT drains, like SIGTERM).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p var
exec ./build/traild --config config/traild-dev.yaml
