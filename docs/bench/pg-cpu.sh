#!/usr/bin/env bash
# CPU-seconds of the PostgreSQL that `./saga bench --intake` starts: the postmaster, the backends it has reaped
# (cutime/cstime) and its live children, read once a second; prints the last reading once the server is gone.
# Start it just before the bench:  docs/bench/pg-cpu.sh & ./saga bench --intake ...; wait
pattern=${1:-postgres.*orderflow-bench-intake}
last=""
while sleep 1; do
  pm=$(pgrep -f "$pattern" | head -1)
  if [ -z "$pm" ]; then [ -n "$last" ] && break; continue; fi
  s=$(cat /proc/$pm/stat 2>/dev/null) || { [ -n "$last" ] && break; continue; }
  rest=${s##*) }; set -- $rest; total=$(( ${12} + ${13} + ${14} + ${15} ))
  for c in $(pgrep -P "$pm"); do
    cs=$(cat /proc/$c/stat 2>/dev/null) || continue
    r=${cs##*) }; set -- $r; total=$((total + ${12} + ${13}))
  done
  last=$total
done
echo "postgres CPU-s: $(awk -v t="$last" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')"
