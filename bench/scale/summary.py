"""The scale scenario's rows (measure.py and the turns' record rows) as a table: median of the
rounds' p50 and p99 with their range. Usage: summary.py RESULTS.jsonl SIZE.txt"""
import json, statistics, sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
size = open(sys.argv[2]).read().strip().split("|")
print("# M: ten million messages (%s messages, %s conversations, %s ledger rows; message table %s, database %s)\n"
      % tuple(size[1:6]))
counts = [r["count"] for r in rows if r.get("scenario") == "M" and "path" in r]
print("Per request: the median over the rounds of each round's p50 and p99 (ms), the range in brackets;"
      " each round sends a request up to 100 times in a row after a warm-up (at least 5, and no more"
      " once 30 s have passed: the fewest sent in a round were %d).\n" % min(counts))
print("| request | p50 | p99 | goal (p99 < 100 ms) |")
print("|---|---|---|---|")


def cell(values):
    return "%s (%s to %s)" % (statistics.median(values), min(values), max(values))


names = []
for r in rows:
    if r.get("scenario") == "M" and "path" in r and r["request"] not in names:
        names.append(r["request"])
for name in names:
    mine = [r for r in rows if r.get("request") == name and "path" in r]
    p50, p99 = [r["p50"] for r in mine], [r["p99"] for r in mine]
    if name.startswith("export"):
        first = [r["first_byte_p99"] for r in mine]
        print("| %s (%s KB) | %s | %s; first byte %s | %s |" % (name, mine[0]["bytes"] // 1024, cell(p50), cell(p99),
              cell(first), "met" if statistics.median(first) < 100 else "not met"))
    else:
        print("| %s | %s | %s | %s |" % (name, cell(p50), cell(p99), "met" if statistics.median(p99) < 100 else "not met"))
turns = [r for r in rows if r.get("target") == "turn"]
floors = {r["round"]: r for r in rows if r.get("target") == "floor"}
if turns:
    added50 = [r["p50"] - floors[r["round"]]["p50"] for r in turns if r["round"] in floors]
    added99 = [r["p99"] - floors[r["round"]]["p99"] for r in turns if r["round"] in floors]
    print("| a turn at 20/s, added to the simulator's own | %s | %s | %s |" % (cell(added50), cell(added99),
          "met" if statistics.median(added99) < 100 else "not met"))
    print("\nTurns: %s answered, %s failed over the rounds." % (sum(r.get("count", 0) for r in turns),
          sum(max(r.get("ko", 0), 0) for r in turns)))
