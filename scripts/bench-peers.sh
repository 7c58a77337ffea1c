#!/usr/bin/env bash
# bench-peers.sh: compare commbench's maximum throughput with the peers (wrk, hey, ghz) against
# the same local targets, with the same connections and duration, and check the memory bound of a
# long run. Prints a Markdown table with the ratio commbench/peer, and beside req/s the requests per
# CPU-second of each load generator (user + system time of its process, /usr/bin/time): the target
# shares the CPUs, so req/s alone favours the lighter tool. Records the load average before and
# after: figures are comparable only from a machine quiet before the rounds (load < 1; the rounds
# themselves raise it to 2-3). Run by `make bench-peers`.
#
# Environment (defaults):
#   CONNS=50          connections / concurrency of every tool
#   DURATION=10       seconds per measurement
#   ROUNDS=3          interleaved rounds; the table shows the median of each tool
#   RSS_COUNT=10000000 requests of the peak-RSS run (0 skips it)
#   HTTP_ADDR=127.0.0.1:18080  GRPC_ADDR=127.0.0.1:18081
#
# Peers: Debian's wrk (apt-get when absent), github.com/rakyll/hey@v0.1.5 and
# github.com/bojand/ghz/cmd/ghz@v0.121.0 (go install into .tools/bin).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
CONNS=${CONNS:-50}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
RSS_COUNT=${RSS_COUNT:-10000000}
HTTP_ADDR=${HTTP_ADDR:-127.0.0.1:18080}
GRPC_ADDR=${GRPC_ADDR:-127.0.0.1:18081}
tools="$root/.tools/bin"
work="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

log() { echo "bench-peers: $*" >&2; }

# --- peers -------------------------------------------------------------------------------------
mkdir -p "$tools"
if ! command -v wrk >/dev/null; then
	log "installing wrk (apt-get)"
	sudo_cmd=""
	[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
	$sudo_cmd apt-get install -y wrk >/dev/null 2>&1 || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y wrk >/dev/null; }
fi
[ -x "$tools/hey" ] || { log "installing hey v0.1.5"; GOBIN="$tools" go install github.com/rakyll/hey@v0.1.5; }
[ -x "$tools/ghz" ] || { log "installing ghz v0.121.0"; GOBIN="$tools" go install github.com/bojand/ghz/cmd/ghz@v0.121.0; }

# --- builds and targets ------------------------------------------------------------------------
log "building commbench and the targets"
go build -o "$work/commbench" ./cmd/commbench
go build -o "$work/httptarget" ./bench/peers/httptarget
go build -o "$work/grpctarget" ./bench/peers/grpctarget
proto="$root/testdata/schemas/shop.proto"
"$work/httptarget" -addr "$HTTP_ADDR" &
pids+=($!)
"$work/grpctarget" -addr "$GRPC_ADDR" -proto "$proto" 2>/dev/null &
pids+=($!)
for _ in $(seq 50); do
	if (exec 3<>"/dev/tcp/${HTTP_ADDR%:*}/${HTTP_ADDR#*:}") 2>/dev/null && (exec 3<>"/dev/tcp/${GRPC_ADDR%:*}/${GRPC_ADDR#*:}") 2>/dev/null; then break; fi
	sleep 0.1
done
echo '{"id":"o-1"}' >"$work/get.json"

# --- one measurement per tool: prints requests per second and the tool's CPU seconds -----------
cb_rate() { grep -o '"throughput_per_s": [0-9.e+]*' "$1" | head -1 | awk '{print $2}'; }
cpu() { /usr/bin/time -f '%U %S' -o "$work/cpu.txt" "$@"; }   # the load generator's user + system time
run_tool() {
	case "$1" in
	wrk) cpu wrk -t2 -c"$CONNS" -d"${DURATION}s" "http://$HTTP_ADDR/" | awk '/^Requests\/sec/ {print $2}' ;;
	hey) cpu "$tools/hey" -c "$CONNS" -z "${DURATION}s" "http://$HTTP_ADDR/" | awk '/Requests\/sec/ {print $2}' ;;
	cb-rest)
		cpu "$work/commbench" bench rest --url "http://$HTTP_ADDR" -c "$CONNS" -d "${DURATION}s" -q --out "$work/r.json" >/dev/null
		cb_rate "$work/r.json" ;;
	ghz) cpu "$tools/ghz" --insecure --proto "$proto" --call shop.v1.OrderService/GetOrder -d '{"id":"o-1"}' \
		-c "$CONNS" --connections 1 -z "${DURATION}s" "$GRPC_ADDR" | awk '/Requests\/sec/ {print $2}' ;;
	cb-grpc)
		cpu "$work/commbench" bench grpc --address "$GRPC_ADDR" --proto "$proto" --method shop.v1.OrderService/GetOrder \
			--message-template "$work/get.json" -c "$CONNS" --connections 1 -d "${DURATION}s" -q --out "$work/g.json" >/dev/null
		cb_rate "$work/g.json" ;;
	esac
}

load1() { awk '{print $1}' /proc/loadavg; }
load_before=$(load1)
declare -A samples per_cpu
for r in $(seq "$ROUNDS"); do
	for t in wrk cb-rest hey ghz cb-grpc; do
		v=$(run_tool "$t" | awk '{printf "%.0f", $1}') # req/s, whole requests
		# requests per CPU-second of the generator: req/s x duration / (user + system seconds)
		pc=$(awk -v rate="$v" -v d="$DURATION" '{c = $1 + $2} END {if (c > 0) printf "%.0f", rate * d / c; else print "nan"}' "$work/cpu.txt")
		samples[$t]="${samples[$t]:-} $v"
		per_cpu[$t]="${per_cpu[$t]:-} $pc"
		log "round $r: $t $v req/s, $pc req per CPU-second (load $(load1))"
	done
done
load_after=$(load1)
median() { echo "$@" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for t in wrk cb-rest hey ghz cb-grpc; do
	declare "med_${t//-/_}=$(median ${samples[$t]})"
	declare "cpu_${t//-/_}=$(median ${per_cpu[$t]})"
done

# --- peak RSS of a long run --------------------------------------------------------------------
rss="skipped (RSS_COUNT=0)"
if [ "$RSS_COUNT" -gt 0 ]; then
	log "peak RSS: commbench bench rest -n $RSS_COUNT -c $CONNS"
	/usr/bin/time -v "$work/commbench" bench rest --url "http://$HTTP_ADDR" -c "$CONNS" -n "$RSS_COUNT" -q \
		--out "$work/rss.json" >/dev/null 2>"$work/time.txt"
	kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
	reqs=$(grep -o '"requests": [0-9]*' "$work/rss.json" | head -1 | awk '{print $2}')
	rss="$((kb / 1024)) MB over $reqs requests"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
verdict() { awk -v a="$1" -v b="$2" -v min="$3" 'BEGIN { print (a / b >= min) ? "ok" : "BELOW TARGET" }'; }
cat <<EOF

commbench vs peers: $CONNS connections, ${DURATION}s per run, median of $ROUNDS interleaved rounds, $(nproc) CPUs,
load average (1 min) $load_before before, $load_after after (the runs themselves keep both CPUs busy, so "after" is
about 2 to 3 on 2 CPUs)$(awk -v a="$load_before" 'BEGIN { if (a >= 1) print " -- NOT a quiet machine (load >= 1 before the rounds): do not publish these figures" }')

| workload | peer | peer req/s | commbench req/s | commbench/peer | peer req/CPU-s | commbench req/CPU-s | commbench/peer per CPU-s | target | |
|---|---|---:|---:|---:|---:|---:|---:|---:|---|
| REST GET, closed model | wrk 4.1 | ${med_wrk} | ${med_cb_rest} | $(ratio "$med_cb_rest" "$med_wrk") | ${cpu_wrk} | ${cpu_cb_rest} | $(ratio "$cpu_cb_rest" "$cpu_wrk") | >= 0.75x | $(verdict "$med_cb_rest" "$med_wrk" 0.75) |
| REST GET, closed model | hey 0.1.5 | ${med_hey} | ${med_cb_rest} | $(ratio "$med_cb_rest" "$med_hey") | ${cpu_hey} | ${cpu_cb_rest} | $(ratio "$cpu_cb_rest" "$cpu_hey") | >= 1.5x | $(verdict "$med_cb_rest" "$med_hey" 1.5) |
| gRPC unary, 1 connection | ghz 0.121.0 | ${med_ghz} | ${med_cb_grpc} | $(ratio "$med_cb_grpc" "$med_ghz") | ${cpu_ghz} | ${cpu_cb_grpc} | $(ratio "$cpu_cb_grpc" "$cpu_ghz") | >= 1.5x | $(verdict "$med_cb_grpc" "$med_ghz" 1.5) |

Peak RSS (/usr/bin/time -v) of commbench bench rest -n $RSS_COUNT: $rss (target < 100 MB)
EOF
