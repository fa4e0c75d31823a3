#!/usr/bin/env python3
"""Share of JFR execution samples per component: each sample goes to the first component (in this order) whose
marker appears anywhere in its stack. Usage: jfrparts.py file.jfr"""
import json, subprocess, sys, collections
parts = [
    ("inventory: StockProcessor (Stock value incl. reservations map: Avro read/write, deep copy)", "StockProcessor"),
    ("payment ledger: LedgerProcessor", "LedgerProcessor"),
    ("saga: SagaProcessor (rules, state, JSON ingress, dedupe, sends)", "SagaProcessor"),
    ("read models (views)", "topology/views"),
    ("deadline punctuator", "expireDeadlines"),
    ("Streams commit (flush caches + producer flush + txn)", "maybeCommit"),
    ("Streams: which task can process (canProcessTask/readyToProcess, String.format inside Kafka)", "isProcessable"),
    ("Streams: record collector send / serialization of outputs", "RecordCollectorImpl.send"),
    ("Streams: consumer poll", "pollRequests"),
    ("Streams: other in StreamThread", "StreamThread.run"),
    ("producer network threads (all clients)", "producer/internals/Sender"),
    ("broker: request handlers", "KafkaRequestHandler"),
    ("broker: network, log, replication, controller, coordinators", "kafka/server"),
    ("broker: network, log, replication, controller, coordinators", "kafka/network"),
    ("broker: network, log, replication, controller, coordinators", "org/apache/kafka/storage"),
    ("broker: network, log, replication, controller, coordinators", "org/apache/kafka/raft"),
    ("broker: network, log, replication, controller, coordinators", "org/apache/kafka/controller"),
    ("broker: network, log, replication, controller, coordinators", "org/apache/kafka/coordinator"),
    ("broker: network, log, replication, controller, coordinators", "org/apache/kafka/metadata"),
    ("broker: network, log, replication, controller, coordinators", "org/apache/kafka/image"),
    ("broker: network, log, replication, controller, coordinators", "kafka/log"),
    ("broker: network, log, replication, controller, coordinators", "org/apache/kafka/server"),
    ("bench: main thread (offer orders, follow order.status)", "bench/BenchRunner"),
    ("intake / HTTP (Jetty, Javalin, HikariCP, JDBC)", "jetty"),
    ("Kafka Connect / Debezium", "debezium"),
    ("Kafka Connect / Debezium", "connect/runtime"),
    ("metrics (Micrometer binder)", "micrometer"),
    ("embedded broker start-up / other Kafka client threads", "org/apache/kafka"),
    ("embedded broker start-up / other Kafka client threads", "kafka/"),
]
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "96", "--events", "jdk.ExecutionSample", sys.argv[1]],
                     capture_output=True, text=True, check=True).stdout
evs = json.loads(out)["recording"]["events"]
c = collections.Counter()
for e in evs:
    frames = (e["values"].get("stackTrace") or {}).get("frames") or []
    stack = " ".join(f["method"]["type"]["name"] + "." + f["method"]["name"] for f in frames)
    for label, marker in parts:
        if marker in stack:
            c[label] += 1
            break
    else:
        c["other (JIT-compiled JDK code, GC-adjacent, startup)"] += 1
n = len(evs)
print(f"| share | where | \n|---:|---|")
for label, k in c.most_common():
    print(f"| {100*k/n:.1f} % | {label} |")
print(f"\n{n} samples")
