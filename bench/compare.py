#!/usr/bin/env python3
"""Turns the F rows of bench/target/results.jsonl (bench/run.sh compare) into a markdown table:
JVM and native side by side, each figure the median of the rounds with its range."""
import json
import platform
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
rows = [r for r in rows if r["scenario"] == "F"]


def figure(values, unit=""):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    median = statistics.median(values)
    if len(values) == 1:
        return "%d%s" % (median, unit)
    return "%d%s (%d to %d)" % (median, unit, min(values), max(values))


def of(target, key, transform=None):
    out = []
    for r in rows:
        if r["target"] == target:
            value = transform(r) if transform else r.get(key)
            out.append(value)
    return out


def added(kind, key):
    values = []
    for r in rows:
        if r["target"] == kind:
            floor = next((f for f in rows if f["target"] == kind + "-floor" and f["round"] == r["round"]), None)
            if floor and r.get(key) is not None and floor.get(key) is not None:
                values.append(r[key] - floor[key])
    return values


def completed(r):
    count = r.get("count") or 0
    return 100.0 * (r.get("ok") or 0) / count if count else None


rounds = len(of("jvm", "round"))
print("Machine: %d-core %s, %s. Each figure: the median of %d rounds, with the range in brackets."
      % (__import__("os").cpu_count(), platform.machine(), platform.platform(), rounds))
print()
print("| | JVM | native |")
print("|---|---|---|")
print("| launch to first answered turn | %s | %s |" % (figure(of("jvm", "startup_ms"), " ms"), figure(of("native", "startup_ms"), " ms")))
print("| RSS idle (after the first turn) | %s | %s |" % (figure(of("jvm", "rss_idle"), " MiB"), figure(of("native", "rss_idle"), " MiB")))
print("| added p50 at 100 turns/s (instant upstream) | %s | %s |" % (figure(added("jvm", "p50"), " ms"), figure(added("native", "p50"), " ms")))
print("| added p99 at 100 turns/s | %s | %s |" % (figure(added("jvm", "p99"), " ms"), figure(added("native", "p99"), " ms")))
print("| RSS max at 2,000 turns in flight (500/s, 4 s upstream) | %s | %s |" % (figure(of("jvm-inflight", "rss_max"), " MiB"), figure(of("native-inflight", "rss_max"), " MiB")))
print("| turns completed at 2,000 in flight | %s | %s |" % (figure(of("jvm-inflight", None, completed), " %"), figure(of("native-inflight", None, completed), " %")))
print("| pool max at 2,000 in flight | %s | %s |" % (figure(of("jvm-inflight", "pool_max")), figure(of("native-inflight", "pool_max"))))
print("| HTTP 500 / 503 answered (over the whole run of the service) | %s / %s | %s / %s |" % (
    figure(of("jvm-health", "http_500")), figure(of("jvm-health", "http_503")),
    figure(of("native-health", "http_500")), figure(of("native-health", "http_503"))))
print("| unrecorded tokens | %s | %s |" % (figure(of("jvm-health", "unrecorded_tokens")), figure(of("native-health", "unrecorded_tokens"))))
