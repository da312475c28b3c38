#!/usr/bin/env python3
"""The noisy-neighbour table (scenario J) from bench/target/results.jsonl: each figure the median
of the rounds with the range in brackets."""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
rows = [r for r in rows if r.get("scenario") == "J"]
rounds = sorted({r.get("round") for r in rows if r.get("round") is not None})


def row(target, rnd):
    for r in rows:
        if r["target"] == target and r.get("round") == rnd:
            return r
    return {}


def fmt(values, unit="", digits=0):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    f = "%." + str(digits) + "f"
    median = f % statistics.median(values)
    if len(values) == 1:
        return median + unit
    return "%s%s (%s to %s)" % (median, unit, f % min(values), f % max(values))


def added(target, key, rnd):
    service, floor = row(target, rnd).get(key), row("floor", rnd).get(key)
    return None if service is None or floor is None else service - floor


alone = {k: [added("others-flood-false", k, r) for r in rounds] for k in ("p50", "p99")}
flood = {k: [added("others-flood-true", k, r) for r in rounds] for k in ("p50", "p99")}
change = [None if a is None or b is None or a == 0 else 100.0 * (b - a) / a for a, b in zip(alone["p99"], flood["p99"])]
print("| the 50 owners (%s turns/s) | alone | while one owner floods |" % fmt([row("floor", r).get("rate") for r in rounds]))
print("|---|---|---|")
print("| added p50, ms | %s | %s |" % (fmt(alone["p50"]), fmt(flood["p50"])))
print("| added p99, ms | %s | %s |" % (fmt(alone["p99"]), fmt(flood["p99"])))
print("| added p99 change | | %s |" % fmt(change, " %"))
onset_alone = [added("onset-flood-false", "p99", r) for r in rounds]
onset_flood = [added("onset-flood-true", "p99", r) for r in rounds]
onset_cold = [added("onset-cold", "p99", r) for r in rounds]
print("| added p99 in the first 10 s, ms | %s | %s (on a just-started replica: %s) |" % (
    fmt(onset_alone), fmt(onset_flood), fmt(onset_cold)))
print("| failed turns (not 201) | %s | %s |" % (fmt([row("others-flood-false", r).get("ko") for r in rounds]),
                                            fmt([row("others-flood-true", r).get("ko") for r in rounds])))
print("| largest RSS, MiB | %s | %s |" % (fmt([row("others-flood-false", r).get("rss_max") for r in rounds]),
                                      fmt([row("others-flood-true", r).get("rss_max") for r in rounds])))
print("| 500s | %s | %s |" % (fmt([row("others-flood-false", r).get("http_500") for r in rounds]),
                            fmt([row("others-flood-true", r).get("http_500") for r in rounds])))
print("| replica alive after | %s | %s |" % (
    "yes" if all(row("others-flood-false", r).get("alive") for r in rounds) else "NO",
    "yes" if all(row("others-flood-true", r).get("alive") for r in rounds) else "NO"))
print()
print("| the flooder | requests | p99, ms |")
print("|---|---|---|")
for request in ("flood-turn", "flood-reader", "flood-import"):
    print("| %s | %s | %s |" % (request, fmt([row(request, r).get("count") for r in rounds]),
                                fmt([row(request, r).get("p99") for r in rounds])))
refused = {}
for r in rounds:
    for k, v in row("refusals", r).items():
        if k.startswith("refused_"):
            refused.setdefault(k[len("refused_"):], []).append(v)
print()
print("Refused (stepchat_refusals_total, per round): " + (", ".join(
    "%s %s" % (reason, fmt(values)) for reason, values in sorted(refused.items())) or "none"))
