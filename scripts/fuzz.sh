#!/usr/bin/env bash
# Runs every fuzz target of the module (each `func FuzzX` in a _test.go file) for FUZZTIME each and
# keeps the corpus the fuzzer found under the package's testdata/fuzz/FuzzX (Go's standard
# location: `go test` then replays it as seed inputs, and a failing input written there by the
# fuzzer stays as a regression test). Used by `make fuzz`.
#
#   FUZZTIME=20s FUZZ='Parse|OCF' FUZZPKG=contracts scripts/fuzz.sh
#
# FUZZMINTIME bounds the minimization of each new input by a number of runs of the target
# (Go's Nx syntax, default 1000x), not by time. Go minimizes every input that adds coverage,
# keeping all of its new coverage bits, which for a JSON document of a few KB (the pact seeds)
# almost no shorter candidate does: minimizing tries O(n^2) candidates, so it lasts as long as it
# is allowed to. Bounded by time (Go's default 60s) the workers report no executions while they
# minimize (0 execs/s for most of a 60 s run of contracts' FuzzParse), and when the time runs out
# the coordinator stops the worker process and starts a new one. Bounded by runs, the worker
# stops minimizing by itself within a second and goes on fuzzing. A crasher is also minimized
# for FUZZMINTIME runs at most: rerun with `-fuzzminimizetime 60s` for a smaller one.
#
# Corpus files over 64 KB are not copied into testdata/fuzz.
# Exit status: 1 when a target found a failure (its input is in testdata/fuzz), else 0.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-20s}
FUZZMINTIME=${FUZZMINTIME:-1000x}
FUZZ=${FUZZ:-.}          # regular expression selecting targets by name
FUZZPKG=${FUZZPKG:-.}    # regular expression selecting packages by directory (contracts, formats/avro)
KEEP=${FUZZKEEP:-1}      # 1: copy the corpus found into testdata/fuzz
module=$($GO list -m)
cache=$($GO env GOCACHE)/fuzz
failed=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
while IFS=: read -r file name; do
  pkgdir=$(dirname "${file#./}")
  [[ $name =~ $FUZZ && $pkgdir =~ $FUZZPKG ]] || continue
  echo "== $pkgdir $name ($FUZZTIME)"
  if ! $GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINTIME" "./$pkgdir" 2>&1 | tee "$out"; then
    # Go before 1.27 may fail a run at its time limit with a bare "context deadline exceeded"
    # and no failing input (a race in its coordinator, https://go.dev/issue/75804): not a finding.
    if ! grep -q 'Failing input written to' "$out" && grep -A1 -- "^--- FAIL: $name " "$out" | grep -qx '    context deadline exceeded'; then
      echo "fuzz: $pkgdir $name: ended at its time limit with Go's spurious \"context deadline exceeded\" (go.dev/issue/75804), no failing input: not counted as a failure"
    else
      failed+=("$pkgdir $name")
    fi
  fi
  src="$cache/$module/$pkgdir/$name"
  if [[ $KEEP == 1 && -d $src ]]; then
    mkdir -p "$pkgdir/testdata/fuzz/$name"
    find "$src" -maxdepth 1 -type f -size -65537c -exec cp -n -t "$pkgdir/testdata/fuzz/$name/" {} + 2>/dev/null || true
  fi
done < <(grep -rHo --include='*_test.go' --exclude-dir=.tools '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/' | sort -u)
if ((${#failed[@]})); then
  printf 'fuzz: failures in:\n'; printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "fuzz: every target ran $FUZZTIME without a failure"
