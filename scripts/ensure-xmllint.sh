#!/usr/bin/env bash
# Makes sure xmllint (Debian's libxml2-utils) is installed: the JUnit tests validate commbench's
# JUnit XML against Jenkins' junit-10.xsd with `xmllint --schema`. Idempotent and quiet (no
# recommended packages; apt's output only on failure). Prints the xmllint path on stdout.
set -euo pipefail
if p=$(command -v xmllint); then echo "$p"; exit 0; fi
if [[ $(id -u) != 0 ]]; then echo "ensure-xmllint: need root to install; run: sudo apt-get install libxml2-utils" >&2; exit 1; fi
echo "ensure-xmllint: installing Debian's libxml2-utils" >&2
log=$(mktemp); trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libxml2-utils; } >"$log" 2>&1; then
  cat "$log" >&2; exit 1
fi
command -v xmllint
