#!/usr/bin/env bash
# Builds everything and the Debian package: build/traild_VERSION_ARCH.deb.
#   bash scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
cpack -G DEB
