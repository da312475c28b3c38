#!/usr/bin/env python3
"""The lean-turn table (scenario I) from one or more bench/results/lean/<label>.jsonl files: one
column per build, each figure the median of the rounds with the range in brackets."""
import json
import statistics
import sys

columns = []
for path in sys.argv[1:]:
    rows = [json.loads(line) for line in open(path) if line.strip()]
    rows = [r for r in rows if r.get("scenario") == "I"]
    if not rows:
        continue
    # rounds of separate runs (ROUNDS=1, several times: builds interleaved) are numbered in order
    seen = {}
    for r in rows:
        seen[r["target"]] = seen.get(r["target"], 0) + 1
        r["round"] = seen[r["target"]]
    label = path.rsplit("/", 1)[-1].removesuffix(".jsonl")
    columns.append((label, rows))


def by(rows, target):
    return {r.get("round"): r for r in rows if r["target"] == target}


def fmt(values, unit="", digits=0):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    f = "%." + str(digits) + "f"
    median = f % statistics.median(values)
    if len(values) == 1:
        return median + unit
    return "%s%s (%s to %s)" % (median, unit, f % min(values), f % max(values))


def added(rows, label, suffix, key):
    service, floor = by(rows, label + suffix), by(rows, label + suffix + "-floor")
    return [service[k][key] - floor[k][key] for k in service if k in floor
            and service[k].get(key) is not None and floor[k].get(key) is not None]


table = [("", [label for label, _ in columns])]


def line(name, compute):
    table.append((name, [compute(label, rows) for label, rows in columns]))


line("service CPU per turn at 100 turns/s", lambda l, r: fmt([x.get("service_cpu_ms") for x in by(r, l).values()], " ms", 2))
line("PostgreSQL CPU per turn", lambda l, r: fmt([x.get("postgres_cpu_ms") for x in by(r, l).values()], " ms", 2))
line("added p50 at 100 turns/s", lambda l, r: fmt(added(r, l, "", "p50"), " ms"))
line("added p99 at 100 turns/s", lambda l, r: fmt(added(r, l, "", "p99"), " ms"))
line("peak (no error, p99 <= 100 ms)", lambda l, r: fmt([x.get("peak") for x in by(r, l + "-half").values()], " turns/s"))
line("added p50 at half the peak", lambda l, r: fmt(added(r, l, "-half", "p50"), " ms"))
line("added p99 at half the peak", lambda l, r: fmt(added(r, l, "-half", "p99"), " ms"))
line("p99 at half the peak: service / floor", lambda l, r: fmt([x.get("p99") for x in by(r, l + "-half").values()], " ms")
     + " / " + fmt([x.get("p99") for x in by(r, l + "-half-floor").values()], " ms"))
line("RSS idle (after the first turn)", lambda l, r: fmt([x.get("rss_idle") for x in (by(r, l + "-inflight") or by(r, l)).values()], " MiB"))
line("RSS max at 2,000 turns in flight", lambda l, r: fmt([x.get("rss_max") for x in by(r, l + "-inflight").values()], " MiB"))
line("turns answered at 2,000 in flight", lambda l, r: fmt([100 * x["ok"] / x["count"] for x in by(r, l + "-inflight").values() if x.get("count")], " %"))
line("launch to first answered turn", lambda l, r: fmt([x.get("startup_ms") for x in by(r, l).values()], " ms"))

print("| " + " | ".join([""] + table[0][1]) + " |")
print("|" + "---|" * (len(columns) + 1))
for name, cells in table[1:]:
    print("| " + " | ".join([name] + cells) + " |")
