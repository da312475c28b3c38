"""The requests of the scale scenario (M), each sent TIMES times one after another after WARMUP, on
one keep-alive connection, or fewer (at least 5) when they take more than 30 s in all: p50, p99 and
max in ms (for the export also the first byte). Prints one JSON row per request kind.
Usage: measure.py BASE_URL TIMES WARMUP"""
import http.client, json, statistics, sys, time, urllib.parse

base = urllib.parse.urlparse(sys.argv[1])
times, warmup = int(sys.argv[2]), int(sys.argv[3])


def cid(c):
    return "00000000-0000-7000-8000-%012x" % c


def mid(c, k):
    h = "%012x" % (c * 100000 + k)
    return "%s-%s-7000-9000-%s" % (h[:8], h[8:12], h)


deep = cid(0)
q = urllib.parse.quote
requests = [
    ("conversations, first page", "/conversations?limit=20"),
    ("conversations, last page", "/conversations?limit=20&after=" + cid(20)),
    ("branch of 10,000, first page", "/conversations/%s/messages?limit=100" % deep),
    ("branch of 10,000, middle page", "/conversations/%s/messages?limit=100&after=%s" % (deep, mid(0, 5000))),
    ("branch of 10,000, last page", "/conversations/%s/messages?limit=100&after=%s" % (deep, mid(0, 9900))),
    ("search, rare English word", "/conversations?limit=20&q=xylophone"),
    ("search, common English word", "/conversations?limit=20&q=Kyoto"),
    ("search, two-letter English word", "/conversations?limit=20&q=up"),
    ("search, rare Chinese word (2 characters)", "/conversations?limit=20&q=" + q("麒麟")),
    ("search, common Chinese word (2 characters)", "/conversations?limit=20&q=" + q("天气")),
    ("search, common Chinese phrase (4 characters)", "/conversations?limit=20&q=" + q("京都旅行")),
    ("usage report, a year by day", "/usage?from=2026-01-01&to=2027-01-01&group_by=day"),
    ("export, the 10,000-message conversation", "/conversations/%s/export" % deep),
]


def one(connection, path):
    start = time.perf_counter()
    connection.request("GET", path, headers={"Accept": "application/json", "X-Bench": "scale"})
    response = connection.getresponse()
    response.read(1)
    first = time.perf_counter()
    body = response.read()
    end = time.perf_counter()
    if response.status != 200:
        raise SystemExit("%s answered %d: %s" % (path, response.status, body[:300]))
    return (first - start) * 1000, (end - start) * 1000, len(body) + 1


for name, path in requests:
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=120)
    for _ in range(warmup):
        if one(connection, path)[1] > 1000:
            break  # a slow request warms up in one go
    firsts, totals, size = [], [], 0
    started = time.perf_counter()
    while len(totals) < times and (len(totals) < 5 or time.perf_counter() - started < 30):
        first, total, size = one(connection, path)
        firsts.append(first)
        totals.append(total)
    connection.close()
    totals.sort()
    firsts.sort()
    pct = lambda values, p: round(values[min(len(values) - 1, int(len(values) * p))], 1)
    row = {"scenario": "M", "request": name, "path": path, "count": len(totals), "bytes": size,
           "p50": round(statistics.median(totals), 1), "p99": pct(totals, 0.99), "max": round(totals[-1], 1)}
    if name.startswith("export"):
        row.update({"first_byte_p50": round(statistics.median(firsts), 1), "first_byte_p99": pct(firsts, 0.99)})
    print(json.dumps(row, ensure_ascii=False), flush=True)
