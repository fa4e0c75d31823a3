#!/usr/bin/env python3
"""Where a JFR recording's heap allocation went, from jdk.ObjectAllocationSample (each sample weighted by the bytes
it stands for): per thread, per allocated class, per allocating frame, and per first frame in a chosen package.
Usage: jfr-alloc.py file.jfr [package-prefix (default io.orderflow)]"""
import collections, json, re, subprocess, sys

path = sys.argv[1]
ours = sys.argv[2] if len(sys.argv) > 2 else "io.orderflow"
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ObjectAllocationSample",
                      path], capture_output=True, text=True, check=True).stdout
threads, classes, frames, first_ours, inclusive = (collections.Counter() for _ in range(5))
total = 0
for e in json.loads(out)["recording"]["events"]:
    v = e["values"]
    weight = v.get("weight") or 0
    total += weight
    thread = (v.get("eventThread") or {}).get("javaName") or "?"
    threads[re.sub(r"\d+", "N", thread)] += weight
    classes[(v.get("objectClass") or {}).get("name") or "?"] += weight
    names = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"]
             for f in ((v.get("stackTrace") or {}).get("frames") or [])
             if "$$Lambda" not in f["method"]["type"]["name"]]
    if names:
        frames[names[0]] += weight
    mine = next((n for n in names if n.startswith(ours)), None)
    first_ours[mine or "(none of " + ours + ")"] += weight
    for n in set(names):
        if n.startswith(("io.orderflow", "org.apache.kafka.streams", "org.apache.avro")):
            inclusive[n] += weight

print(f"allocation sampled: {total / 2**20:.0f} MiB")
for title, counter, k in (("thread", threads, 12), ("class", classes, 15), ("allocating frame", frames, 20),
                          ("first frame in " + ours, first_ours, 20), ("inclusive (Orderflow, Streams, Avro)", inclusive, 40)):
    print(f"\n== {title}")
    for name, w in counter.most_common(k):
        print(f"{100 * w / max(1, total):5.1f} %  {name}")
