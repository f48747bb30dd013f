#!/usr/bin/env bash
# Installs the Debian 12 packages traild builds and tests with. Idempotent; needs root.
set -euo pipefail
packages=(
  g++ cmake make pkg-config
  libboost-dev libsimdjson-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libsystemd-dev libssl-dev
  libgtest-dev libbenchmark-dev
  socat netcat-openbsd python3 util-linux systemd
  dpkg-dev lintian gzip
  chromium nodejs
)
# `install-deps.sh fuzz` adds clang and its sanitizer/libFuzzer runtimes.
if [ "${1:-}" = fuzz ]; then packages+=(clang-14 libclang-rt-14-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's nodejs comes without npm (NodeSource's has it built in); the browser tests need it.
if ! command -v npm > /dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
fi
