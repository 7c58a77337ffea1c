#!/usr/bin/env bash
# Installs the Pact FFI native library (libpact_ffi 0.4.28, the version pact-go v2.4.2 links
# against) into .tools/pact/lib, from the npm package @pact-foundation/pact-core-linux-x64-glibc@18.1.0.
# Idempotent. On a machine with internet, `pact-go install` is the upstream way to get it.
# Prints the library folder on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tools/pact/lib"
if [[ -f "$dir/libpact_ffi.so" ]]; then echo "$dir"; exit 0; fi
command -v npm >/dev/null || { echo "install-pact-ffi: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent @pact-foundation/pact-core-linux-x64-glibc@18.1.0 >/dev/null 2>&1 ) \
  || { echo "install-pact-ffi: npm pack @pact-foundation/pact-core-linux-x64-glibc@18.1.0 failed" >&2; exit 1; }
tar -xzf "$tmp"/*.tgz -C "$tmp"
mkdir -p "$dir"
cp "$tmp/package/prebuilds/linux-x64/libpact_ffi.so" "$dir/"
echo "$dir"
