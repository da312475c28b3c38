#!/usr/bin/env python3
"""Turns bench/target/results.jsonl into the markdown summary of bench/run.sh."""
import json
import os
import platform
import subprocess
import sys

results_file, startup_ms, rss_idle, rss_warm, peak = sys.argv[1:6]
rows = [json.loads(line) for line in open(results_file) if line.strip()]


def find(scenario, target, rate=None):
    for r in rows:
        if r["scenario"] == scenario and r["target"] == target and (rate is None or r["rate"] == rate):
            return r
    return None


def ms(value):
    return "-" if value is None else "%d" % value


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


java = subprocess.run([os.environ.get("JAVA_HOME", "/usr") + "/bin/java", "-version"], capture_output=True, text=True)
out = []
out.append("Machine: %d cores (%s), %s GiB, %s; Java: %s. Service, simulator, PostgreSQL 15 and Gatling share it."
           % (os.cpu_count(), cpu(), round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
              platform.platform(), (java.stderr.splitlines() or ["?"])[0]))
out.append("")
out.append("**A. Instant upstream** (10 s per rate; service = turns through the service, floor = the same load"
           " straight at the simulator; all times ms)")
out.append("")
out.append("| turns/s | service p50 | p90 | p99 | max | floor p50 | floor p99 | added p50 | added p99 | errors |")
out.append("|---|---|---|---|---|---|---|---|---|---|")
for r in [r for r in rows if r["scenario"] == "A" and r["target"] == "service"]:
    f = find("A", "simulator", r["rate"]) or {}
    added50 = None if f.get("p50") is None or r.get("p50") is None else r["p50"] - f["p50"]
    added99 = None if f.get("p99") is None or r.get("p99") is None else r["p99"] - f["p99"]
    out.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (r["rate"], ms(r.get("p50")), ms(r.get("p90")),
               ms(r.get("p99")), ms(r.get("max")), ms(f.get("p50")), ms(f.get("p99")), ms(added50), ms(added99),
               ms(r.get("ko"))))
out.append("")
out.append("Highest rate sustained with no error and p99 <= 100 ms: **%s turns/s**." % peak)
out.append("")
out.append("**B. Slow upstream (4 s)** (20 s per rate)")
out.append("")
out.append("| turns/s | in flight | service p50 | p99 | max | floor p99 | added p99 | errors | completed | pool max | RSS max MiB |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|")
for r in [r for r in rows if r["scenario"] == "B" and r["target"] == "service"]:
    f = find("B", "simulator", r["rate"]) or {}
    added99 = None if f.get("p99") is None or r.get("p99") is None else r["p99"] - f["p99"]
    completed = "-" if not r.get("ok") else "%.0f%%" % (100.0 * r["ok"] / (r["rate"] * 20))
    out.append("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (r["rate"], r["rate"] * 4, ms(r.get("p50")),
               ms(r.get("p99")), ms(r.get("max")), ms(f.get("p99")), ms(added99), ms(r.get("ko")), completed,
               r.get("pool_max", "-"), r.get("rss_max", "-")))
out.append("")
out.append("**C. Streaming** (20 chunks over 2 s, 20 streams/s for 15 s), ms. The service sends its response"
           " headers together with the first `delta` (it answers once StepFun's first chunk is in), so the time"
           " to the headers is the time to the first `delta`; the simulator sends its headers at once and its"
           " first chunk right after.")
out.append("")
out.append("| | to headers p50 | p90 | p99 | max | then to first event p50 | p99 | errors |")
out.append("|---|---|---|---|---|---|---|---|")
for label, target in (("through the service (first `delta`)", "service"), ("straight from the simulator (first chunk)", "simulator")):
    c = find("C", target) or {}
    f = find("C", target + "-first") or {}
    out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (label, ms(c.get("p50")), ms(c.get("p90")), ms(c.get("p99")),
               ms(c.get("max")), ms(f.get("p50")), ms(f.get("p99")), ms(f.get("ko"))))
out.append("")
b500 = find("B", "service", 500.0) or {}
out.append("**D. Memory** (RSS of the service): idle %s MiB, after warm-up %s MiB, at 2000 turns in flight %s MiB."
           % (rss_idle, rss_warm, b500.get("rss_max", "-")))
out.append("")
out.append("**E. Start-up**: %s ms from launching the jar to the first answered turn." % startup_ms)
print("\n".join(out))
