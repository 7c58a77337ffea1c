#!/usr/bin/env bash
# Runs every fuzz target of the module (each `func FuzzX` in a _test.go file) for FUZZTIME each,
# with minimization bounded by FUZZMINTIME (Go's default, 60 s per input, stalls long runs), and
# keeps the corpus the fuzzer found under the package's testdata/fuzz/FuzzX (Go's standard
# location: `go test` then replays it as seed inputs, and a failing input written there by the
# fuzzer stays as a regression test). Used by `make fuzz`.
#
#   FUZZTIME=20s FUZZMINTIME=5s FUZZ='Parse|OCF' scripts/fuzz.sh
#
# Exit status: 1 when a target found a failure (its input is in testdata/fuzz), else 0.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-20s}
FUZZMINTIME=${FUZZMINTIME:-5s}
FUZZ=${FUZZ:-.}          # regular expression selecting targets by name
KEEP=${FUZZKEEP:-1}      # 1: copy the corpus found into testdata/fuzz
module=$($GO list -m)
cache=$($GO env GOCACHE)/fuzz
failed=()
while IFS=: read -r file name; do
  pkgdir=$(dirname "$file")
  [[ $name =~ $FUZZ ]] || continue
  echo "== $pkgdir $name ($FUZZTIME)"
  if ! $GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINTIME" "./$pkgdir"; then
    failed+=("$pkgdir $name")
  fi
  src="$cache/$module/${pkgdir#./}/$name"
  if [[ $KEEP == 1 && -d $src ]]; then
    mkdir -p "$pkgdir/testdata/fuzz/$name"
    cp -n "$src"/* "$pkgdir/testdata/fuzz/$name/" 2>/dev/null || true
  fi
done < <(grep -rHo --include='*_test.go' --exclude-dir=.tools '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/' | sort -u)
if ((${#failed[@]})); then
  printf 'fuzz: failures in:\n'; printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "fuzz: every target ran $FUZZTIME without a failure"
