#!/usr/bin/env python3
"""Parses every query of dashboard.json with Prometheus' own parser: the queries become recording
rules in a temporary file (Grafana's $job and $__rate_interval replaced by what they stand for)
and `promtool check rules` reads it. A query Prometheus cannot parse fails here; which metrics the
queries name is checked against the service by MonitoringTest."""
import json
import pathlib
import subprocess
import sys
import tempfile

here = pathlib.Path(__file__).parent
dashboard = json.loads((here / "dashboard.json").read_text())


def queries(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr":
                yield value
            else:
                yield from queries(value)
    elif isinstance(node, list):
        for value in node:
            yield from queries(value)


found = list(queries(dashboard))
if not found:
    sys.exit("no queries in dashboard.json")
lines = ["groups:", "  - name: dashboard", "    rules:"]
for number, query in enumerate(found):
    query = query.replace("$__rate_interval", "5m").replace("$job", ".*")
    lines += [f"      - record: dashboard_query_{number}", f"        expr: {json.dumps(query)}"]
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as rules:
    rules.write("\n".join(lines) + "\n")
result = subprocess.run(["promtool", "check", "rules", rules.name], capture_output=True, text=True)
pathlib.Path(rules.name).unlink()
print(f"dashboard.json: {len(found)} queries", "parsed by promtool" if result.returncode == 0 else "NOT parsed")
if result.returncode != 0:
    sys.exit(result.stdout + result.stderr)
