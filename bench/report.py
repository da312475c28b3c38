#!/usr/bin/env python3
"""Reads one Gatling report (index.html) and prints a request's numbers as JSON.

usage: report.py REPORT_DIR REQUEST_NAME
"""
import html
import json
import re
import sys

COLUMNS = ["count", "ok", "ko", "ko_percent", "rps", "min", "p50", "p90", "p99", "p999", "max", "mean", "std"]


def stats(report_dir, name):
    page = open(report_dir + "/index.html", encoding="utf-8").read()
    marker = 'class="ellipsed-name">%s</span>' % html.escape(name)
    start = page.find(marker)
    if start < 0:
        return None
    row = page[start:page.find("</tr>", start)]
    values = re.findall(r'<td class="value [a-z]+ col-\d+">([^<]*)</td>', row)
    result = {}
    for key, value in zip(COLUMNS, values):
        try:
            result[key] = float(value)
        except ValueError:
            result[key] = None
    return result


if __name__ == "__main__":
    print(json.dumps(stats(sys.argv[1], sys.argv[2])))
