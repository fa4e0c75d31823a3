#!/usr/bin/env bash
# Samples the CPU and resident memory of every `saga run` JVM on this machine every 2 s, while a load runs, and
# prints per instance its share of a core and its resident set over a steady window. How docs/architecture.md's
# "One instance, on its own, at a stated load" was measured:
#
#   docs/bench/instance-resources.sh 60 320 &
#   ./saga chaos --instances 2 --kills 0 --orders 45000 --rate 300 --seed 42
#
# Arguments: the steady window, in seconds after the first sample (default 60 to 320). Stops by itself once no
# instance has been seen for 10 s after one was.
set -euo pipefail
from=${1:-60}
to=${2:-320}
samples=$(mktemp)
ticks=$(getconf CLK_TCK)
seen=0
idle=0
while true; do
  pids=$(pgrep -f "devtools.Main run" || true)
  if [ -z "$pids" ]; then
    if [ "$seen" = 1 ]; then idle=$((idle + 2)); fi
    if [ "$idle" -ge 10 ]; then break; fi
  else
    seen=1
    idle=0
    for pid in $pids; do
      if [ -r "/proc/$pid/stat" ]; then
        read -r -a st < "/proc/$pid/stat" || continue
        rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$rss" ] && echo "$(date +%s.%N) $pid $rss $((st[13] + st[14]))" >> "$samples"
      fi
    done
  fi
  sleep 2
done
awk -v from="$from" -v to="$to" -v hz="$ticks" '
  { t[NR]=$1; p[NR]=$2; r[NR]=$3; c[NR]=$4; if (!(t0 > 0) || $1 < t0) t0=$1 }
  END {
    for (i = 1; i <= NR; i++) {
      d = t[i] - t0; if (d < from || d > to) continue
      if (!(p[i] in first)) { first[p[i]] = i }
      last[p[i]] = i; n[p[i]]++; sum[p[i]] += r[i]; if (r[i] > max[p[i]]) max[p[i]] = r[i]
    }
    for (pid in first) {
      a = first[pid]; b = last[pid]
      printf "instance pid %s: %.2f of a core, resident %.0f MiB on average, %.0f MiB at most (%d samples)\n",
        pid, (c[b] - c[a]) / hz / (t[b] - t[a]), sum[pid] / n[pid] / 1024, max[pid] / 1024, n[pid]
    }
  }' "$samples"
rm -f "$samples"
