#!/usr/bin/env python3
"""Aggregate jfr print --json ExecutionSample/NativeMethodSample: top self frames, top inclusive frames, per thread."""
import json, subprocess, sys, collections
path = sys.argv[1]
events = sys.argv[2] if len(sys.argv) > 2 else "jdk.ExecutionSample"
filt = sys.argv[3] if len(sys.argv) > 3 else None
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", events, path],
                     capture_output=True, text=True, check=True).stdout
data = json.loads(out)
evs = data["recording"]["events"]
selfc, incl, threads, pkg = (collections.Counter() for _ in range(4))
n = 0
for e in evs:
    v = e["values"]
    t = (v.get("sampledThread") or {}).get("javaName") or "?"
    frames = (v.get("stackTrace") or {}).get("frames") or []
    names = []
    for f in frames:
        m = f["method"]
        names.append(m["type"]["name"] + "." + m["name"])
    if filt and not any(filt in x for x in names) and filt not in t:
        continue
    n += 1
    import re
    threads[re.sub(r"\d+", "N", t)] += 1
    if names:
        selfc[names[0]] += 1
    for x in set(names):
        incl[x] += 1
    # first frame of our own or a library 'interesting' package
    for x in names:
        if x.startswith(("io.orderflow", "org.apache.avro", "com.fasterxml", "org.rocksdb", "ch.qos", "org.slf4j", "io.micrometer", "org.HdrHistogram")):
            pkg[".".join(x.split(".")[:3])] += 1
            break
    else:
        pkg["(other) " + (".".join(names[0].split(".")[:3]) if names else "?")] += 1
print(f"samples: {n}")
for title, c, k in (("threads", threads, 15), ("self", selfc, 30), ("inclusive", incl, 60), ("first interesting package", pkg, 25)):
    print(f"\n== {title}")
    for name, cnt in c.most_common(k):
        print(f"{cnt:6d} {100.0*cnt/max(n,1):5.1f}%  {name}")
