#!/usr/bin/env bash
# Installs Pact's reference CLI (the Rust `pact` binary: `pact verifier`, mock and stub servers,
# broker client) into .tools/pact/bin, from the npm package @pact-foundation/pact-cli-linux-x64@18.1.2
# (standalone/pact). Idempotent. Tests use it as the second reference for verdicts (differential
# checks) and for broker requests. Prints the path of the binary on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tools/pact/bin"
bin="$dir/pact"
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi
command -v npm >/dev/null || { echo "install-pact-cli: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent @pact-foundation/pact-cli-linux-x64@18.1.2 >/dev/null 2>&1 ) \
  || { echo "install-pact-cli: npm pack @pact-foundation/pact-cli-linux-x64@18.1.2 failed" >&2; exit 1; }
tar -xzf "$tmp"/*.tgz -C "$tmp"
mkdir -p "$dir"
install -m 0755 "$tmp/package/standalone/pact" "$bin"
echo "$bin"
