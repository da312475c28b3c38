"""Scenario H's rounds as a Markdown table: the median of the rounds, with their range."""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if '"scenario": "H"' in line]
if not rows:
    sys.exit("no H rows")


def cell(key, unit=""):
    values = [r[key] for r in rows if r.get(key) is not None]
    if not values:
        return "n/a"
    med = statistics.median(values)
    fmt = (lambda v: f"{v:g}")
    return f"{fmt(med)}{unit} ({fmt(min(values))} to {fmt(max(values))})"


print(f"Scenario H: {rows[0]['streams']} concurrent streams of 60 s (300 chunks 200 ms apart), one JVM replica,")
print(f"20 pooled connections; every 10th stream hangs up after 30 s and resumes 1 s later. {len(rows)} rounds:")
print("median (min to max).\n")
print("| measure | value | goal |")
print("|---|---|---|")
print(f"| streams completed / failed / text not equal to the stored answer | {cell('completed')} / {cell('failed')} / {cell('mismatched')} | all / 0 / 0 |")
print(f"| chunk leaving the simulator to its delta at the client, p50 | {cell('delay_p50_ms', ' ms')} | |")
print(f"| same, p99 | {cell('delay_p99_ms', ' ms')} | 50 ms |")
print(f"| same, max | {cell('delay_max_ms', ' ms')} | |")
print(f"| resume: request to its first event (the text missed), p50 | {cell('resume_p50_ms', ' ms')} | |")
print(f"| same, p99 (of {rows[0]['resumes']} per round) | {cell('resume_p99_ms', ' ms')} | 100 ms |")
print(f"| database commits per second | {cell('db_commits_per_s')} | |")
print(f"| database rows updated per second | {cell('db_rows_updated_per_s')} | |")
print(f"| database rows inserted per second | {cell('db_rows_inserted_per_s')} | |")
print(f"| pooled connections in use, max | {cell('pool_max')} | 20 |")
print(f"| RSS, max | {cell('rss_max', ' MiB')} | |")
print(f"| HTTP 500 / 503, tokens not in the ledger | {cell('http_500')} / {cell('http_503')}, {cell('unrecorded_tokens')} | 0 / 0, 0 |")
