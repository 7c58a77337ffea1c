#!/usr/bin/env bash
# Makes sure a headless Chromium is installed for the HTML report's browser test (Debian's
# chromium package). Idempotent and quiet: no recommended packages, apt's output only on failure. Prints the browser path on stdout.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  if p=$(command -v "$b"); then echo "$p"; exit 0; fi
done
if [[ $(id -u) != 0 ]]; then echo "ensure-chromium: need root to install; run: sudo apt-get install chromium" >&2; exit 1; fi
echo "ensure-chromium: installing Debian's chromium (without recommended packages)" >&2
log=$(mktemp); trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2; exit 1   # the apt output only when the install failed
fi
command -v chromium
