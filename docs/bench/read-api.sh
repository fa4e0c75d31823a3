#!/usr/bin/env bash
# The read API under wrk: one key the asked instance answers itself, one key it must forward to its owner, and the
# mix of docs/bench/query-mix.lua (forwarding and scatter-gather). Prints a summary line per run.
#
# Usage (from the repository root; hold the bench lock, the machine is shared):
#   flock /tmp/orderflow-bench.lock docs/bench/read-api.sh                 # starts ./saga demo --instances 3, stops it
#   flock /tmp/orderflow-bench.lock docs/bench/read-api.sh --url http://127.0.0.1:8080   # a demo already running
# Options: --duration 20s  --threads 2  --connections 50  --warmup 15s (0: none)  --orders-per-second 2 (0: none)
#          --keep-logs DIR
# Environment: ORDERFLOW_JAVA_OPTS is passed to the demo's JVM (e.g. a JFR recording).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

url=""
duration=20s
threads=2
connections=50
warmup=15s
rate=2
logs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --orders-per-second) rate="$2"; shift 2 ;;
    --keep-logs) logs="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d /tmp/read-api-bench.XXXXXX)"
demo_pid=""
orders_pid=""
stop() {
  if [ -n "$orders_pid" ]; then kill "$orders_pid" 2>/dev/null || true; wait "$orders_pid" 2>/dev/null || true; fi
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    echo "Stopping the demo (pid $demo_pid) ..." >&2
    kill -TERM "$demo_pid"
    for _ in $(seq 1 120); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$demo_pid" 2>/dev/null; then echo "The demo did not stop in 60 s; killing it" >&2; kill -KILL "$demo_pid"; fi
    wait "$demo_pid" 2>/dev/null || true
  fi
  if [ -n "$logs" ]; then mkdir -p "$logs" && cp "$work"/* "$logs"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop EXIT

if [ -z "$url" ]; then
  url="http://127.0.0.1:8080"
  echo "Starting ./saga demo --instances 3 (log: $work/demo.out, $work/demo.err) ..." >&2
  ./saga demo --instances 3 >"$work/demo.out" 2>"$work/demo.err" &
  demo_pid=$!
  # The demo prints "Orderflow is running" once its sample orders are done and every instance answers.
  for _ in $(seq 1 600); do
    grep -q "Orderflow is running" "$work/demo.out" 2>/dev/null && break
    kill -0 "$demo_pid" 2>/dev/null || { echo "error: the demo ended; its log:" >&2; tail -20 "$work/demo.err" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "Orderflow is running" "$work/demo.out" || { echo "error: the demo was not up after 300 s" >&2; exit 1; }
fi

instances="$(curl -sf "$url/instances")"
self="$(jq -r '.instances[] | select(.self) | .host' <<<"$instances")"
echo "Asking $url (instance $self); instances: $(jq -r '[.instances[].host] | join(", ")' <<<"$instances")" >&2

# Orders keep flowing while wrk reads (through the intake on the first instance), at a low rate.
if [ "$rate" != "0" ]; then
  (
    n=0
    while true; do
      n=$((n + 1))
      curl -s -o /dev/null -X POST "$url/orders" -H "Idempotency-Key: read-bench-$$-$n" \
        -H 'Content-Type: application/json' \
        -d '{"customerId":"alice","currency":"EUR","lines":[{"sku":"apple","quantity":1,"unitPrice":1}]}' || true
      sleep "$(awk -v r="$rate" 'BEGIN { printf "%.3f", 1 / r }')"
    done
  ) &
  orders_pid=$!
fi

# A key is local when the asked instance says it served it itself, forwarded when another one did.
served_by() {
  curl -s -o /dev/null -D - "$url$1" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-orderflow-served-by" { print $2 }'
}
local_path=""
forwarded_path=""
for path in /inventory/apple /inventory/pear /inventory/plum /inventory/truffle /accounts/alice /accounts/erin \
    /accounts/frank /accounts/bob /accounts/carol; do
  by="$(served_by "$path")"
  if [ "$by" = "$self" ] && [ -z "$local_path" ]; then local_path="$path"; fi
  if [ -n "$by" ] && [ "$by" != "$self" ] && [ -z "$forwarded_path" ]; then forwarded_path="$path"; fi
done
[ -n "$local_path" ] || { echo "error: no sample key is owned by $self" >&2; exit 1; }
[ -n "$forwarded_path" ] || { echo "error: every sample key is owned by $self; nothing to forward" >&2; exit 1; }
echo "Local key: $local_path (served by $self); forwarded key: $forwarded_path (served by $(served_by "$forwarded_path"))" >&2

# CPU time (clock ticks) of the machine (busy) and of a process tree: "busy tree tree-in-kernel"
ticks() {
  local out
  out="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)"
  for root_pid in "$@"; do
    out="$out $(tree_ticks "$root_pid")"
  done
  echo "$out"
}
# "all system" ticks (user + system, then system alone) of a process and its descendants
tree_ticks() {
  local sum=0 sys=0 pid stat
  for pid in $1 $(descendants "$1"); do
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    stat="${stat##*) }"
    set -- $stat
    sum=$((sum + ${12} + ${13}))
    sys=$((sys + ${13}))
  done
  echo "$sum $sys"
}
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do echo "$child"; descendants "$child"; done
}

# The demo's process tree (its JVM and PostgreSQL) when this script started it, else the JVM serving the URL.
jvm_pid="${demo_pid:-$(ss -ltnpH "sport = :${url##*:}" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)}"
hz="$(getconf CLK_TCK)"

run() {
  local name="$1" c="$2"; shift 2
  local load_before load_after before after wrk_pid
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  echo "== $name: wrk -t$threads -c$c -d$duration --latency $*" >&2
  before="$(ticks "${jvm_pid:-1}")"
  wrk -t"$threads" -c"$c" -d"$duration" --latency "$@" >"$work/$name.wrk" 2>&1 &
  wrk_pid=$!
  # wrk's own CPU, read just before it ends (its stat is gone once it is reaped)
  local wrk_ticks=0 t
  while kill -0 "$wrk_pid" 2>/dev/null; do
    t="$(tree_ticks "$wrk_pid" | cut -d' ' -f1)"; [ "$t" -gt 0 ] && wrk_ticks="$t"
    sleep 0.5
  done
  wait "$wrk_pid" || true
  after="$(ticks "${jvm_pid:-1}")"
  load_after="$(cut -d' ' -f1 /proc/loadavg)"
  cat "$work/$name.wrk" >&2
  local secs="${duration%s}"
  cpu="$(awk -v b="$before" -v a="$after" -v w="$wrk_ticks" -v hz="$hz" -v s="$secs" 'BEGIN {
      split(b, x, " "); split(a, y, " ");
      busy = (y[1] - x[1]) / hz / s; demo = (y[2] - x[2]) / hz / s; sys = (y[3] - x[3]) / hz / s; wrk = w / hz / s;
      printf "cores busy %.2f: demo %.2f (in the kernel %.2f), wrk %.2f, other %.2f", busy, demo, sys, wrk,
        busy - demo - wrk }')"
  awk -v name="$name" -v lb="$load_before" -v la="$load_after" -v cpu="$cpu" '
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /Non-2xx/ { non2xx = $NF }
    /Socket errors/ { sock = $0; sub(/.*Socket errors: /, "", sock) }
    END { printf "%-12s %10s req/s  p50 %8s  p99 %8s  non-2xx %s  socket errors %s  load %s -> %s  %s\n",
          name, rps, p50, p99, (non2xx == "" ? 0 : non2xx), (sock == "" ? "none" : sock), lb, la, cpu }' \
    "$work/$name.wrk" >>"$work/summary"
}

# A JVM just started still compiles its hot paths: the mix runs once first, unmeasured, so that every run meets
# compiled code (the JIT's threads took about a fifth of the machine in a first run without it).
if [ "$warmup" != "0" ]; then
  echo "== warm-up: wrk -t$threads -c$connections -d$warmup -s query-mix.lua (not measured)" >&2
  wrk -t"$threads" -c"$connections" -d"$warmup" -s "$root/docs/bench/query-mix.lua" "$url" >"$work/warmup.wrk" 2>&1
fi
run local "$connections" "$url$local_path"
run forwarded "$connections" "$url$forwarded_path"
# At most 16 requests wait on one other instance at a time (PeerGuard's bulkhead); more are answered 503 at once, so
# with more connections than that most forwarded answers are 503s. Forwarding itself is measured within the bound.
run forwarded16 16 "$url$forwarded_path"
run mix "$connections" -s "$root/docs/bench/query-mix.lua" "$url"

echo
echo "read API, $(date -u +%FT%TZ), wrk -t$threads -c$connections -d$duration after a $warmup warm-up, $(nproc) cores, asking $self"
echo "local = $local_path, forwarded = $forwarded_path, mix = docs/bench/query-mix.lua; orders/s in the background: $rate"
cat "$work/summary"
