#!/usr/bin/env python3
"""What a frame spends its samples on: for JFR execution samples whose stack holds FRAME (substring), count the
DEPTH frames it calls (default 1). Usage: jfr-callees.py file.jfr IntakeService.placeOrder [DEPTH]"""
import collections, json, subprocess, sys
path, target = sys.argv[1], sys.argv[2]
depth = int(sys.argv[3]) if len(sys.argv) > 3 else 1
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "128", "--events", "jdk.ExecutionSample", path],
                     capture_output=True, text=True, check=True).stdout
callees = collections.Counter()
hits = total = 0
for e in json.loads(out)["recording"]["events"]:
    total += 1
    frames = [f["method"]["type"]["name"] + "." + f["method"]["name"]
              for f in (e["values"].get("stackTrace") or {}).get("frames") or []]
    at = [i for i, name in enumerate(frames) if target in name]
    if not at:
        continue
    hits += 1
    below = frames[max(0, at[-1] - depth):at[-1]][::-1]
    callees[" > ".join(below) if below else "(self)"] += 1
print(f"{hits} of {total} samples contain {target}")
for name, count in callees.most_common(25):
    print(f"{count:6d} {100 * count / hits:5.1f}%  {name}")
