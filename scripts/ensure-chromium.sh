#!/usr/bin/env bash
# Makes sure a headless Chromium is installed for the HTML report's browser test (Debian's
# chromium package). Idempotent. Prints the browser path on stdout.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  if p=$(command -v "$b"); then echo "$p"; exit 0; fi
done
if [[ $(id -u) != 0 ]]; then echo "ensure-chromium: need root to install; run: sudo apt-get install chromium" >&2; exit 1; fi
echo "ensure-chromium: installing Debian's chromium" >&2
apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
command -v chromium
