#!/usr/bin/env bash
# The load benchmark, end to end, in one command (about 13 minutes on 2 cores):
#
#   bash bench/run.sh            # the JVM jar: scenarios A to E below
#   bash bench/run.sh compare    # JVM jar and native executable side by side (F), 3 rounds each,
#                                # about 12 minutes; needs target/*-runner (./mvnw package -Dnative)
#   bash bench/run.sh restart    # PostgreSQL restarted under 100 turns/s (G), about 2 minutes
#   bash bench/run.sh failover   # a primary fails over to its standby under load (K), about 4 minutes
#   bash bench/run.sh streams    # 1,000 concurrent 60 s streams with resumes (H), 3 rounds, about 6 minutes
#   bash bench/run.sh noisy      # the noisy neighbour (J): one owner floods, 50 others chat; 3 rounds,
#                                # about 15 minutes
#   bash bench/run.sh uploads    # 20 concurrent 10 MB image uploads (L): the service's RSS before, at
#                                # its peak and after; 3 rounds, about 3 minutes
#   bash bench/run.sh scale      # ten million messages (M): pages, a 10,000-message branch, search,
#                                # export, a year's usage report, a turn; 3 rounds, about 25 minutes
#   bash bench/run.sh lean       # the turn's cost, pinned (I): CPU per turn of the service and of
#                                # PostgreSQL, added latency, peak, RSS; 3 rounds, about 30 minutes
# compare takes ROUNDS (3), KINDS ("jvm native") and NATIVE_OPTS (run-time options of the native
# executable) from the environment. lean takes ROUNDS, APP_DIR (the fast-jar folder to measure,
# default target/quarkus-app, so that an older build runs on the same machine), LABEL, JVM_OPTS and
# STEPS ("cpu peak memory").
#
# It builds the packaged application and runs it (prod profile, JVM jar) against the machine's
# PostgreSQL 15 (started if needed; database stepchat_bench, made afresh; the scale scenario's ten
# million messages in a database of their own, stepchat_scale, so that the others keep it) and a StepFun simulator
# (WireMock standalone with bench/simulator/mappings: instant, 4 s, or 20 chunks over 2 s, chosen
# by the model name). Gatling drives open-model loads (constant arrival rates) at the service and,
# right after, the same load straight at the simulator: the floor. Results: bench/results/summary.md
# (also printed) and Gatling's HTML reports under bench/target/gatling/.
# Loopback only. Needs: a JDK 21+ (JAVA_HOME), PostgreSQL 15 server binaries, root or sudo for them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
APP=http://localhost:8080
SIM=http://localhost:9090
OUT=bench/results
WORK=bench/target
mkdir -p "$OUT" "$WORK/tools"
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
# pinning (lean only): the service and PostgreSQL on one core, the load and the simulator on the other
PIN_SERVICE=""
PIN_LOAD=""
SERVICE_ENV=()
now_ms() { date +%s%3N; }
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

psql_admin() { if [ "$(id -u)" = 0 ]; then su postgres -c "psql -q -v ON_ERROR_STOP=1 $*"; else sudo -u postgres psql -q -v ON_ERROR_STOP=1 "$@"; fi; }

# ---------------------------------------------------------------- PostgreSQL 15
log "PostgreSQL 15"
if [ "$(id -u)" = 0 ]; then pg_ctlcluster 15 main start 2>/dev/null || true; else sudo pg_ctlcluster 15 main start 2>/dev/null || true; fi
psql_admin "-c \"do \\\$\\\$ begin if not exists (select from pg_roles where rolname = 'bench') then create role bench login password 'bench'; end if; end \\\$\\\$\""
DB=stepchat_bench
if [ "${1:-}" = scale ]; then DB=stepchat_scale; fi
if [ "${1:-}" = scale ] && [ -n "${KEEP_DATA:-}" ]; then
  log "KEEP_DATA: $DB kept as it is"
else
  psql_admin "-c 'drop database if exists $DB'"
  psql_admin "-c 'create database $DB owner bench'"
fi
DB_URL=jdbc:postgresql://localhost:5432/$DB
sql() { PGPASSWORD=bench psql -h localhost -U bench -d "$DB" -At -v ON_ERROR_STOP=1 -c "$1"; }

# ---------------------------------------------------------------- builds
log "building the application and the simulations"
./mvnw -q -B package -DskipTests
./mvnw -q -B dependency:copy -Dartifact=org.wiremock:wiremock-standalone:3.13.2 -DoutputDirectory="$WORK/tools"
(cd bench && ../mvnw -q -B test-compile)

# ---------------------------------------------------------------- the simulator
log "StepFun simulator on $SIM"
"$JAVA" -Xmx1g -jar "$WORK/tools/wiremock-standalone-3.13.2.jar" --port 9090 --root-dir bench/simulator \
  --no-request-journal --disable-request-logging --async-response-enabled true --async-response-threads 64 \
  --container-threads 800 --jetty-accept-queue-size 4000 > "$WORK/simulator.log" 2>&1 &
PIDS+=($!)
until curl -sf -o /dev/null -X POST "$SIM/v1/chat/completions" -d '{"model":"bench-instant"}'; do sleep 0.2; done

# ---------------------------------------------------------------- the service (E: start-up)
# start_service jvm|native: launches it on $APP, waits for the first answered turn; sets APP_PID,
# STARTUP_MS (launch to first answered turn) and RSS_IDLE (MiB, right after).
rss() { echo $(( $(ps -o rss= -p "$APP_PID") / 1024 )); }
start_service() {
  local command=($PIN_SERVICE "$JAVA" ${JVM_OPTS:-} -jar "${APP_DIR:-target/quarkus-app}/quarkus-run.jar")
  # NATIVE_OPTS: run-time options of the native executable (say -Xmx160m)
  [ "$1" = native ] && command=($PIN_SERVICE "$NATIVE" ${NATIVE_OPTS:-})
  log "service ($1) on $APP"
  local start; start=$(now_ms)
  # SERVICE_ENV: more environment (the noisy scenario turns authentication on with it); PROBE_TOKEN: its bearer token
  env STEP_API_KEY=bench STEPCHAT_AUTH_ENABLED=false "${SERVICE_ENV[@]}" \
  QUARKUS_DATASOURCE_JDBC_URL=$DB_URL QUARKUS_DATASOURCE_USERNAME=bench QUARKUS_DATASOURCE_PASSWORD=bench \
  QUARKUS_DATASOURCE_JDBC_MAX_SIZE=20 QUARKUS_REST_CLIENT_STEPFUN_URL=$SIM/v1 \
  STEPFUN_BULKHEAD_MAX_CONCURRENT=4000 STEPFUN_BULKHEAD_QUEUE=4000 QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
  "${command[@]}" > "$WORK/service-$1.log" 2>&1 &
  APP_PID=$!
  PIDS+=($APP_PID)
  local id="" auth=(-H "X-Bench: probe")
  [ -n "${PROBE_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $PROBE_TOKEN")
  until [ -n "$id" ]; do
    id=$(curl -sf -X POST "$APP/conversations" "${auth[@]}" -H 'Content-Type: application/json' -d '{"model":"bench-instant"}' \
      | sed -n 's/.*"id":"\([^"]*\)".*/\1/p') || true
    [ -n "$id" ] || sleep 0.005
  done
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$APP/conversations/$id/messages" "${auth[@]}" \
    -H 'Content-Type: application/json' -d '{"content":"first"}')" = 201 ]; do sleep 0.005; done
  STARTUP_MS=$(( $(now_ms) - start ))
  RSS_IDLE=$(rss)
  log "first turn answered ${STARTUP_MS} ms after launch; RSS ${RSS_IDLE} MiB"
}
stop_service() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; }

# ---------------------------------------------------------------- helpers
# conversations MODEL COUNT FILE: made in one statement, one per arrival (one turn at a time each)
conversations() {
  { echo id; sql "insert into conversation (id, owner, model, metadata, created_at, updated_at)
      select gen_random_uuid(), 'local', '$1', '{}'::jsonb, now(), now() from generate_series(1, $2) returning id"; } > "$3"
}
# gatling CLASS TARGET RATE SECONDS MODEL -> prints the report folder
gatling() {
  local csv="$ROOT/$WORK/${CSV_NAME:-conversations}.csv"   # CSV_NAME: for two loads at once
  if [ "$2" = service ]; then conversations "$5" "$(python3 -c "import math;print(math.ceil($3*$4)+10)")" "$csv"; fi
  local base=$APP; [ "$2" = simulator ] && base=$SIM
  (cd bench && $PIN_LOAD ../mvnw -q -B gatling:test -Dgatling.simulationClass="bench.$1" -Dbase="$base" -Dtarget="$2" \
    -Drate="$3" -Dseconds="$4" -Dmodel="$5" -Dconversations="$csv" > "$ROOT/$WORK/gatling-last.log" 2>&1) || true
  # the newest report of this simulation (two loads may run at once); not head: under pipefail,
  # ls killed by SIGPIPE fails the script
  ls -td "$WORK"/gatling/"$(echo "$1" | tr '[:upper:]' '[:lower:]')"-*/ | sed -n 1p
}
# record SCENARIO TARGET RATE REPORT REQUEST [extra json]
record() {
  python3 - "$@" >> "$RESULTS" <<'PY'
import json, sys
sys.path.insert(0, "bench")
from report import stats
scenario, target, rate, report, request = sys.argv[1:6]
extra = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
row = {"scenario": scenario, "target": target, "rate": float(rate), "request": request}
row.update(stats(report, request) or {"count": 0, "ko": -1})
row.update(extra)
print(json.dumps(row))
PY
  tail -1 "$RESULTS" | python3 -c "import json,sys;r=json.load(sys.stdin);print('[bench]   %s %-9s %5s/s p50 %s p99 %s max %s ko %s' % (r['scenario'],r['target'],r['rate'],r.get('p50'),r.get('p99'),r.get('max'),r.get('ko')))" >&2
}
# what the service counted: 500s, 503s and tokens it could not write to the ledger
faults() { curl -s "$APP/q/metrics" | python3 -c "
import json, re, sys
text = sys.stdin.read()
def total(pattern):
    return int(sum(float(v) for v in re.findall(pattern, text)))
print(json.dumps({'http_500': total(r'http_server_requests_seconds_count\\{[^\\n]*status=\"500\"[^\\n]*\\} (\\S+)'),
                  'http_503': total(r'http_server_requests_seconds_count\\{[^\\n]*status=\"503\"[^\\n]*\\} (\\S+)'),
                  'unrecorded_tokens': total(r'stepchat_usage_unrecorded_tokens_total(?:\\{[^}]*\\})? (\\S+)')}))"; }
# the service's refusals so far, by reason (stepchat_refusals_total)
refusals() { curl -s "$APP/q/metrics" | python3 -c "
import json, re, sys
found = {}
for reason, value in re.findall(r'stepchat_refusals_total\\{[^}]*reason=\"([^\"]+)\"[^}]*\} (\\S+)', sys.stdin.read()):
    found['refused_' + reason] = found.get('refused_' + reason, 0) + int(float(value))
print(json.dumps(found))"; }
# a sampler of pool use and RSS while a load runs
sample_start() { ( max_pool=0; max_rss=0; while :; do
    p=$(curl -s "$APP/q/metrics" | awk '/^agroal_active_count/ {print int($2)}' | sed -n 1p); p=${p:-0}
    r=$(rss); [ "$p" -gt "$max_pool" ] && max_pool=$p; [ "$r" -gt "$max_rss" ] && max_rss=$r
    echo "{\"pool_max\": $max_pool, \"rss_max\": $max_rss}" > "$WORK/sample.json"; sleep 0.5; done ) & SAMPLER=$!; }
sample_stop() { kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; cat "$WORK/sample.json"; }

# ---------------------------------------------------------------- F: JVM and native side by side
if [ "${1:-}" = compare ]; then
  NATIVE=$(ls target/*-runner 2>/dev/null | sed -n 1p)
  [ -x "$NATIVE" ] || { log "no native executable: ./mvnw package -Dnative first"; exit 1; }
  ROUNDS=${ROUNDS:-3}
  for round in $(seq 1 "$ROUNDS"); do
    for kind in ${KINDS:-jvm native}; do
      start_service $kind
      startup=$STARTUP_MS; idle=$RSS_IDLE
      # the same warm-up for both (the JVM's JIT needs it; the native executable does not)
      gatling TurnSimulation service 100 30 bench-instant > /dev/null
      report=$(gatling TurnSimulation service 100 20 bench-instant)
      record F "$kind" 100 "$report" turn "{\"round\": $round, \"startup_ms\": $startup, \"rss_idle\": $idle}"
      floor=$(gatling TurnSimulation simulator 100 20 bench-instant)
      record F "$kind-floor" 100 "$floor" turn "{\"round\": $round}"
      sample_start
      report=$(gatling TurnSimulation service 500 20 bench-slow)
      sample=$(sample_stop)
      record F "$kind-inflight" 500 "$report" turn "$(python3 -c "import json,sys;d=json.loads(sys.argv[1]);d['round']=$round;print(json.dumps(d))" "$sample")"
      record F "$kind-health" 0 "$report" turn "$(faults) "
      stop_service
    done
  done
  python3 bench/compare.py "$RESULTS" > "$OUT/compare.md"
  cat "$OUT/compare.md"
  log "written to $OUT/compare.md"
  exit 0
fi

# ---------------------------------------------------------------- L: concurrent large uploads
# UPLOADS (20) uploads of one MB (10) MB image at once (POST /files, multipart, curl), against the JVM
# jar with its defaults (KIND=native: the native executable, target/*-runner, or NATIVE), after a
# warm-up of 4 uploads one by one. The peak is the kernel's high-water mark of the service's RSS
# (VmHWM), reset right before the uploads. ROUNDS (3); LABEL names the results (uploads-KIND-LABEL),
# say "pod" with JVM_OPTS="-XX:MaxRAM=768m -XX:MaxRAMPercentage=40" (the heap of the JVM overlay's pod).
if [ "${1:-}" = uploads ]; then
  ROUNDS=${ROUNDS:-3}; UPLOADS=${UPLOADS:-20}; MB=${MB:-10}; KIND=${KIND:-jvm}
  if [ "$KIND" = native ]; then
    NATIVE=${NATIVE:-$(ls target/*-runner 2>/dev/null | sed -n 1p)}
    [ -x "$NATIVE" ] || { log "no native executable: ./mvnw package -Dnative first"; exit 1; }
  fi
  # a PNG signature and then random bytes: an image by its magic numbers, and incompressible
  python3 -c "import os,sys;open(sys.argv[1],'wb').write(b'\x89PNG\r\n\x1a\n'+os.urandom(int(float(sys.argv[2])*1024*1024)-8))" \
    "$WORK/upload.png" "$MB"
  upload() { curl -s -o /dev/null -w '%{http_code}\n' -H 'X-Bench: upload' -F "file=@$WORK/upload.png;type=image/png" "$APP/files"; }
  kib() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$APP_PID/status"; }
  for round in $(seq 1 "$ROUNDS"); do
    start_service "$KIND"
    for i in 1 2 3 4; do upload > /dev/null; done
    sleep 2
    before=$(kib VmRSS)
    echo 5 > "/proc/$APP_PID/clear_refs"   # resets VmHWM to the RSS of now
    t0=$(now_ms)
    CLIENTS=()
    for i in $(seq 1 "$UPLOADS"); do upload > "$WORK/upload-$i.status" & CLIENTS+=($!); done
    wait "${CLIENTS[@]}" || true
    t1=$(now_ms)
    peak=$(kib VmHWM); sleep 2; after=$(kib VmRSS)
    ok=$(cat "$WORK"/upload-*.status | grep -c '^201$' || true)
    echo "{\"scenario\": \"L\", \"kind\": \"$KIND\", \"round\": $round, \"uploads\": $UPLOADS, \"mb\": $MB, \"created\": $ok, \"seconds\": $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )), \"rss_before_mib\": $(( before / 1024 )), \"rss_peak_mib\": $(( peak / 1024 )), \"rss_after_mib\": $(( after / 1024 )), \"added_at_peak_mib\": $(( (peak - before) / 1024 ))}" >> "$RESULTS"
    tail -1 "$RESULTS" >&2
    rm -f "$WORK"/upload-*.status
    stop_service
  done
  python3 - "$RESULTS" > "$OUT/uploads-$KIND${LABEL:+-$LABEL}.md" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def spread(key):
    values = [r[key] for r in rows]
    return "%s (%s to %s)" % (statistics.median(values), min(values), max(values))
print("# L: %d concurrent uploads of %d MB, %s, %d rounds (median, min to max)\n" % (rows[0]["uploads"], rows[0]["mb"],
      "the native executable" if rows[0].get("kind") == "native" else "the JVM jar", len(rows)))
print("| created | seconds | RSS before (MiB) | RSS at peak (MiB) | added at peak (MiB) | RSS after (MiB) |")
print("|---|---|---|---|---|---|")
print("| %s | %s | %s | %s | %s | %s |" % (spread("created"), spread("seconds"), spread("rss_before_mib"), spread("rss_peak_mib"),
                                      spread("added_at_peak_mib"), spread("rss_after_mib")))
print("\nRounds:\n")
for r in rows:
    print("- round %d: %d created in %s s; RSS %d -> peak %d (+%d) -> %d MiB" % (r["round"], r["created"], r["seconds"],
          r["rss_before_mib"], r["rss_peak_mib"], r["added_at_peak_mib"], r["rss_after_mib"]))
PY
  cp "$RESULTS" "$OUT/uploads-$KIND${LABEL:+-$LABEL}.jsonl"
  cat "$OUT/uploads-$KIND${LABEL:+-$LABEL}.md"
  log "written to $OUT/uploads-$KIND${LABEL:+-$LABEL}.md"
  exit 0
fi

# ---------------------------------------------------------------- M: ten million messages
# bench/scale/generate.sql fills the freshly migrated database (1,000 owners, 100,000 conversations,
# 10,000,000 messages; the heaviest owner is "local", the caller with authentication off). One pass
# with auto_explain on the service's role logs the plan of every statement the requests send
# (bench/results/scale-plans.txt); then per round a fresh JVM service answers each request TIMES
# (100) times in a row after 10 (bench/scale/measure.py), and turns at 20/s for 30 s (with the
# simulator's floor in the same round). ROUNDS (3).
# The data can be made once and measured later: GENERATE_ONLY=1 stops after generating, KEEP_DATA=1
# measures the database as it is.
if [ "${1:-}" = scale ]; then
  ROUNDS=${ROUNDS:-3}; TIMES=${TIMES:-100}
  if [ -z "${KEEP_DATA:-}" ]; then
    start_service jvm   # Flyway makes the schema
    stop_service
    log "scale: generating 10,000,000 messages (about 15 minutes)"
    t0=$(now_ms)
    chmod o+r bench/scale/generate.sql
    psql_admin "-d $DB -f $ROOT/bench/scale/generate.sql" > "$WORK/scale-generate.log" 2>&1
    log "scale: generated in $(( ($(now_ms) - t0) / 1000 )) s"
  fi
  [ -n "${GENERATE_ONLY:-}" ] && { log "GENERATE_ONLY: stopping here"; exit 0; }
  sql "select 'rows', (select count(*) from message), (select count(*) from conversation), (select count(*) from usage_record),
       pg_size_pretty(pg_total_relation_size('message')), pg_size_pretty(pg_database_size('$DB'))" > "$WORK/scale-size.txt"
  # the plans: auto_explain for the service's role, one pass, the PostgreSQL log read from here on;
  # migrations first, without it (each row of an index built on a function would log a plan)
  start_service jvm
  stop_service
  PGLOG=/var/log/postgresql/postgresql-15-main.log
  from=$(stat -c %s "$PGLOG")
  psql_admin "-c \"alter role bench set session_preload_libraries = 'auto_explain'\" -c \"alter role bench set auto_explain.log_min_duration = 0\" -c \"alter role bench set auto_explain.log_analyze = on\" -c \"alter role bench set auto_explain.log_buffers = on\""
  start_service jvm
  python3 bench/scale/measure.py "$APP" 1 0 > /dev/null
  stop_service
  psql_admin "-c 'alter role bench reset all'"
  tail -c +"$((from + 1))" "$PGLOG" | grep -v -e 'flyway' > "$OUT/scale-plans.txt" || true
  log "scale: plans in $OUT/scale-plans.txt"
  for round in $(seq 1 "$ROUNDS"); do
    start_service jvm
    python3 bench/scale/measure.py "$APP" "$TIMES" 10 | python3 -c "
import json, sys
for line in sys.stdin:
    row = json.loads(line); row['round'] = $round; print(json.dumps(row, ensure_ascii=False))" >> "$RESULTS"
    tail -13 "$RESULTS" >&2
    report=$(gatling TurnSimulation service 20 30 bench-instant)
    record M turn 20 "$report" turn "{\"round\": $round}"
    floor=$(gatling TurnSimulation simulator 20 30 bench-instant)
    record M floor 20 "$floor" turn "{\"round\": $round}"
    stop_service
  done
  python3 bench/scale/summary.py "$RESULTS" "$WORK/scale-size.txt" > "$OUT/scale.md"
  cp "$RESULTS" "$OUT/scale.jsonl"
  cat "$OUT/scale.md"
  log "written to $OUT/scale.md"
  exit 0
fi

# ---------------------------------------------------------------- H: 1,000 concurrent streams
# STREAMS (1000) streamed turns opened over 10 s, each 300 chunks 200 ms apart (60 s), against one
# JVM replica with 20 pooled connections; every 10th hangs up after 30 s and resumes. ROUNDS (3).
if [ "${1:-}" = streams ]; then
  STREAMS=${STREAMS:-1000}
  ROUNDS=${ROUNDS:-3}
  "$JAVA" bench/streams/StreamBench.java simulator 9091 200 300 > "$WORK/stream-simulator.log" 2>&1 &
  PIDS+=($!)
  until curl -sf -o /dev/null -X POST http://localhost:9091/v1/chat/completions -d '{}'; do sleep 0.2; done
  SIM=http://localhost:9091
  db_counts() { sql "select xact_commit, tup_inserted, tup_updated from pg_stat_database where datname = '$DB'" | tr '|' ' '; }
  for round in $(seq 1 "$ROUNDS"); do
    start_service jvm
    sample_start
    read -r c0 i0 u0 <<< "$(db_counts)"
    t0=$(now_ms)
    "$JAVA" bench/streams/StreamBench.java client "$APP" "$STREAMS" "${RAMP:-30}" 10 "$WORK/streams-$round.json" > /dev/null 2> "$WORK/streams-client.log"
    t1=$(now_ms)
    sleep 1  # the statistics of the last transactions
    read -r c1 i1 u1 <<< "$(db_counts)"
    sample=$(sample_stop)
    python3 - "$WORK/streams-$round.json" "$sample" "$round" $(( t1 - t0 )) $((c1 - c0)) $((i1 - i0)) $((u1 - u0)) "$(faults)" >> "$RESULTS" <<'PY'
import json, sys
row = json.load(open(sys.argv[1]))
row.update(json.loads(sys.argv[2]))
row.update(json.loads(sys.argv[8]))
seconds = int(sys.argv[4]) / 1000
row.update({"scenario": "H", "round": int(sys.argv[3]), "seconds": round(seconds, 1),
            "db_commits_per_s": round(int(sys.argv[5]) / seconds, 1),
            "db_rows_inserted_per_s": round(int(sys.argv[6]) / seconds, 1),
            "db_rows_updated_per_s": round(int(sys.argv[7]) / seconds, 1)})
print(json.dumps(row))
PY
    tail -1 "$RESULTS" >&2
    stop_service
  done
  python3 bench/streams/summary.py "$RESULTS" > "$OUT/streams.md"
  cat "$OUT/streams.md"
  log "written to $OUT/streams.md"
  exit 0
fi

# ---------------------------------------------------------------- J: the noisy neighbour
# Authentication on (an RSA key made here signs the tokens), the JVM jar unpinned as in A to E.
# Per round: the floor (the load straight at the simulator), then 50 owners at RATE turns/s for
# SECONDS alone, then the same with one more owner flooding at once: slow turns (4 s upstream,
# FLOOD_TURNS/s), stream readers resuming one long answer (FLOOD_READERS/s) and imports of a
# generated ChatGPT export of IMPORT_MB (FLOOD_IMPORTS/s). Reports the 50 owners' added latency
# alone and under the flood, what the flooder got, the service's largest RSS, its 500s and
# whether it restarted. ROUNDS (3), RATE (20), DURATION (60 seconds). Each phase starts with ONSET
# seconds (10) whose turns are reported apart ("onset"): the flood begins with them, and the
# DURATION after is its steady state.
if [ "${1:-}" = noisy ]; then
  ROUNDS=${ROUNDS:-3}; RATE=${RATE:-20}; SECONDS_=${DURATION:-60}; ONSET=${ONSET:-10}
  FLOOD_TURNS=${FLOOD_TURNS:-20}; FLOOD_READERS=${FLOOD_READERS:-20}; FLOOD_IMPORTS=${FLOOD_IMPORTS:-0.2}
  IMPORT_MB=${IMPORT_MB:-5}
  openssl genrsa -out "$WORK/jwt-private.pem" 2048 2>/dev/null
  openssl rsa -in "$WORK/jwt-private.pem" -pubout -out "$WORK/jwt-public.pem" 2>/dev/null
  b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
  jwt() {  # jwt SUBJECT: an RS256 token the service accepts for two hours
    local head body
    head=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
    body=$(printf '{"iss":"https://bench.test","aud":"stepchat","sub":"%s","iat":%d,"exp":%d}' "$1" "$(date +%s)" \
      "$(( $(date +%s) + 7200 ))" | b64url)
    printf '%s.%s.%s' "$head" "$body" "$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -sign "$WORK/jwt-private.pem" | b64url)"
  }
  SERVICE_ENV=(STEPCHAT_AUTH_ENABLED=true MP_JWT_VERIFY_PUBLICKEY_LOCATION="$ROOT/$WORK/jwt-public.pem"
    MP_JWT_VERIFY_ISSUER=https://bench.test MP_JWT_VERIFY_AUDIENCES=stepchat)
  PROBE_TOKEN=$(jwt probe)
  FLOODER_TOKEN=$(jwt flooder)
  declare -A TOKENS
  for i in $(seq 0 49); do TOKENS[o$i]=$(jwt "o$i"); done
  python3 - "$WORK/import.json" "$IMPORT_MB" <<'PY'
import json, sys
path, mb = sys.argv[1], float(sys.argv[2])
conversations, size, n = [], 0, 0
while size < mb * 1024 * 1024:
    mapping, parent = {"root": {"id": "root", "message": None, "parent": None, "children": []}}, "root"
    for m in range(40):
        key = "n%d" % m
        mapping[key] = {"id": key, "parent": parent, "children": [], "message": {"author": {"role": "user" if m % 2 == 0 else "assistant"},
                        "create_time": 1700000000 + m, "content": {"content_type": "text", "parts": ["word " * 120]}}}
        mapping[parent]["children"].append(key)
        parent = key
    c = {"title": "flood %d" % n, "create_time": 1700000000, "update_time": 1700000100, "mapping": mapping, "current_node": parent}
    conversations.append(c); size += len(json.dumps(c)); n += 1
json.dump(conversations, open(path, "w"))
PY
  log "noisy: import file of $(du -m "$WORK/import.json" | cut -f1) MB"
  for round in $(seq 1 "$ROUNDS"); do
    start_service jvm
    # the simulation reads its conversations' file even when it only drives the simulator
    [ -s "$WORK/conversations.csv" ] || printf 'id\n00000000-0000-0000-0000-000000000000\n' > "$WORK/conversations.csv"
    # and the noisy one its flooder's file even in the phase without a flood
    [ -s "$WORK/flooder.csv" ] || printf 'token,conversation,running_conversation,running_answer\nx,x,x,x\n' > "$WORK/flooder.csv"
    floor=$(gatling TurnSimulation simulator "$RATE" "$SECONDS_" bench-instant)
    record J floor "$RATE" "$floor" turn "{\"round\": $round}"
    # warm: the same flood for ONSET seconds only, unrecorded but for its onset ("onset-cold"), so
    # that both measured phases run on a replica that has seen this mix of requests once (its JIT
    # has compiled the flood's paths), as a replica in service has
    for phase in warm false true; do
      flood=true; seconds=$SECONDS_
      [ "$phase" = false ] && flood=false
      [ "$phase" = warm ] && seconds=0
      # one conversation per arrival of the others, owners o0..o49 in turn; the flooder's for its turns
      rows=$(python3 -c "import math;print(math.ceil($RATE*($ONSET+$seconds))+50)")
      { echo token,conversation
        sql "insert into conversation (id, owner, model, metadata, created_at, updated_at)
             select gen_random_uuid(), 'o' || (g % 50), 'bench-instant', '{}'::jsonb, now(), now()
             from generate_series(1, $rows) g returning owner || ',' || id" \
          | while IFS=, read -r owner id; do
              # psql ends with the command's tag (INSERT 0 n): only the rows are kept
              if [ -n "${TOKENS[$owner]:-}" ]; then echo "${TOKENS[$owner]},$id"; fi; done; } > "$WORK/others.csv"
      before=$(refusals)
      sample_start
      if [ "$flood" = true ]; then
        # the flooder's long answer, read by its own stream, resumed by the flood's readers (sent
        # again while the flooder's streams of the phase before are still closing: 429)
        running=$(curl -s "$APP/conversations" -H "Authorization: Bearer $FLOODER_TOKEN" -H 'Content-Type: application/json' \
          -d '{"model":"bench-long"}' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
        answer=""
        for try in $(seq 1 30); do
          curl -sN "$APP/conversations/$running/messages" -H "Authorization: Bearer $FLOODER_TOKEN" \
            -H 'Content-Type: application/json' -H 'Accept: text/event-stream' -d '{"content":"a long one"}' \
            > "$WORK/long-stream.txt" 2>&1 &
          LONG=$!
          while :; do
            answer=$(sed -n 's/.*"message":{"id":"\([^"]*\)".*/\1/p' "$WORK/long-stream.txt" | head -1)
            [ -n "$answer" ] && break 2
            # a problem instead of the stream: refused, try again in a second
            grep -q '"type":"https://stepchat.dev/problems/' "$WORK/long-stream.txt" && break
            sleep 0.2
          done
          sleep 1
        done
        [ -n "$answer" ] || { log "noisy: the flooder's long answer did not start: $(cat "$WORK/long-stream.txt")"; exit 1; }
        flood_rows=$(python3 -c "import math;print(math.ceil($FLOOD_TURNS*($ONSET+$seconds))+10)")
        { echo token,conversation,running_conversation,running_answer
          sql "insert into conversation (id, owner, model, metadata, created_at, updated_at)
               select gen_random_uuid(), 'flooder', 'bench-slow', '{}'::jsonb, now(), now()
               from generate_series(1, $flood_rows) returning id" \
            | grep -E '^[0-9a-f-]{36}$' | while read -r id; do echo "$FLOODER_TOKEN,$id,$running,$answer"; done; } \
          > "$WORK/flooder.csv"
      fi
      if [ "$phase" = warm ]; then
        # the long answer stopped once the warm-up's arrivals have ended (Gatling starts in a few
        # seconds), so that its readers end with it
        ( sleep $((ONSET + 15)); curl -s -o /dev/null -X POST "$APP/conversations/$running/messages/$answer/stop" \
            -H "Authorization: Bearer $FLOODER_TOKEN" ) &
      fi
      (cd bench && ../mvnw -q -B gatling:test -Dgatling.simulationClass=bench.NoisySimulation -Dbase="$APP" \
        -Drate="$RATE" -Dseconds="$seconds" -Donset="$ONSET" -Dflood="$flood" -DfloodTurns="$FLOOD_TURNS" \
        -DfloodReaders="$FLOOD_READERS" -DfloodImports="$FLOOD_IMPORTS" -Dothers="$ROOT/$WORK/others.csv" \
        -Dflooder="$ROOT/$WORK/flooder.csv" -Dimport="$ROOT/$WORK/import.json" > "$ROOT/$WORK/gatling-last.log" 2>&1) || true
      report=$(ls -td "$WORK"/gatling/*/ | sed -n 1p)
      sample=$(sample_stop)
      if [ "$phase" = warm ]; then
        record J onset-cold "$RATE" "$report" others-onset "{\"round\": $round}"
        kill "$LONG" 2>/dev/null || true
        continue
      fi
      alive=$(kill -0 "$APP_PID" 2>/dev/null && echo true || echo false)
      extra=$(python3 -c "import json,sys;d=json.loads(sys.argv[1]);d.update(json.loads(sys.argv[2]));d.update(round=$round,flood='$flood'=='true',alive='$alive'=='true');print(json.dumps(d))" "$sample" "$(faults)")
      record J "others-flood-$flood" "$RATE" "$report" others "$extra"
      record J "onset-flood-$flood" "$RATE" "$report" others-onset "{\"round\": $round}"
      if [ "$flood" = true ]; then
        for request in flood-turn flood-reader flood-import; do
          record J "$request" 0 "$report" "$request" "{\"round\": $round}"
        done
        # this phase's refusals: the counters now less those before it
        record J refusals 0 "$report" others "$(python3 -c "import json,sys;a=json.loads(sys.argv[1]);b=json.loads(sys.argv[2]);print(json.dumps({k:v-a.get(k,0) for k,v in b.items()}|{'round':$round}))" "$before" "$(refusals)")"
        kill "$LONG" 2>/dev/null || true
      fi
    done
    stop_service
  done
  python3 bench/noisy.py "$RESULTS" > "$OUT/noisy.md"
  cp "$RESULTS" "$OUT/noisy.jsonl"
  cat "$OUT/noisy.md"
  log "written to $OUT/noisy.md (rows in $OUT/noisy.jsonl)"
  exit 0
fi

# ---------------------------------------------------------------- I: the lean turn, pinned
# The service and PostgreSQL on core 0, Gatling and the simulator on core 1, so that the load
# generator does not take the service's CPU. CPU per turn is read from /proc (utime + stime) for
# the service and for PostgreSQL (its live processes plus what its exited backends used) over a
# steady 100 turns/s after a 140 s warm-up; the floor (the same load straight at the simulator) in
# the same round. Then the peak (rising rates until an error or p99 > 100 ms) and half of it.
# Memory is measured on a fresh, unpinned service (see below).
if [ "${1:-}" = lean ]; then
  ROUNDS=${ROUNDS:-3}
  STEPS=${STEPS:-cpu peak memory}
  LABEL=${LABEL:-$(git rev-parse --short HEAD)}
  HZ=$(getconf CLK_TCK)
  PG_MAIN=$(head -1 /var/run/postgresql/15-main.pid)
  # pin SERVICE_CORES LOAD_CORES: the service and PostgreSQL on the first, Gatling and the simulator on the second
  pin() {
    PIN_SERVICE="taskset -c $1"; PIN_LOAD="taskset -c $2"
    for p in $(pgrep -x postgres); do taskset -a -cp "$1" "$p" > /dev/null 2>&1 || true; done
    for p in $(pgrep -f wiremock-standalone); do taskset -a -cp "$2" "$p" > /dev/null 2>&1 || true; done
  }
  pin 0 1
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
  pg_ticks() { local t; t=$(awk '{print $16 + $17}' "/proc/$PG_MAIN/stat")
    for p in $(pgrep -x postgres); do t=$(( t + $(ticks "$p" 2>/dev/null || echo 0) )); done; echo "$t"; }
  LEAN_FILE="$OUT/lean/$LABEL.jsonl"
  mkdir -p "$OUT/lean"
  # each row is kept as soon as it is measured (rounds of several runs of one build add up)
  lean_record() { record "$@"; tail -1 "$RESULTS" >> "$LEAN_FILE"; }
  set -E
  trap 'log "lean: failed at line $LINENO: $BASH_COMMAND"' ERR
  turns_of() { python3 -c "import sys;sys.path.insert(0,'bench');from report import stats;s=stats(sys.argv[1],'turn');print(int(s['ok']))" "$1"; }
  for round in $(seq 1 "$ROUNDS"); do
   if [[ " $STEPS " == *" cpu "* || " $STEPS " == *" peak "* ]]; then
    start_service jvm
    idle=$RSS_IDLE; startup=$STARTUP_MS
    # warm-up: the JIT shares the service's core, so it needs a while to go quiet
    gatling TurnSimulation service 100 120 bench-instant > /dev/null
    gatling TurnSimulation service 200 20 bench-instant > /dev/null
    if [[ " $STEPS " == *" cpu "* ]]; then
      s0=$(ticks "$APP_PID"); p0=$(pg_ticks)
      report=$(gatling TurnSimulation service 100 30 bench-instant)
      s1=$(ticks "$APP_PID"); p1=$(pg_ticks)
      turns=$(turns_of "$report")
      cpu=$(python3 -c "print('{\"service_cpu_ms\": %.3f, \"postgres_cpu_ms\": %.3f, \"turns\": %d}' % (($s1-$s0)*1000/$HZ/$turns, ($p1-$p0)*1000/$HZ/$turns, $turns))")
      lean_record I "$LABEL" 100 "$report" turn "$(python3 -c "import json,sys;d=json.loads(sys.argv[1]);d.update(round=$round,rss_idle=$idle,startup_ms=$startup);print(json.dumps(d))" "$cpu")"
      floor=$(gatling TurnSimulation simulator 100 30 bench-instant)
      lean_record I "$LABEL-floor" 100 "$floor" turn "{\"round\": $round}"
    fi
    if [[ " $STEPS " == *" peak "* ]]; then
      peak=0
      for rate in 50 75 100 125 150 200 250 300 400 500 700 1000; do
        report=$(gatling TurnSimulation service $rate 10 bench-instant)
        lean_record I "$LABEL-step" $rate "$report" turn "{\"round\": $round}"
        ok=$(tail -1 "$RESULTS" | python3 -c "import json,sys;r=json.load(sys.stdin);print(1 if r.get('ko')==0 and r.get('p99') is not None and r['p99']<=100 else 0)")
        [ "$ok" = 1 ] || break
        peak=$rate
      done
      half=$(( peak / 2 )); [ "$half" -ge 10 ] || half=10
      report=$(gatling TurnSimulation service $half 20 bench-instant)
      lean_record I "$LABEL-half" $half "$report" turn "{\"round\": $round, \"peak\": $peak}"
      floor=$(gatling TurnSimulation simulator $half 20 bench-instant)
      lean_record I "$LABEL-half-floor" $half "$floor" turn "{\"round\": $round}"
    fi
    stop_service
   fi
    if [[ " $STEPS " == *" memory "* ]]; then
      # memory: nothing pinned, a fresh service (one core cannot hold 2,000 turns in flight, nor can
      # the load generator and the simulator on one core), its RSS idle after the first turn, then its
      # largest at 500 turns/s with a 4 s upstream (as scenario F)
      pin 0-1 0-1
      start_service jvm
      idle=$RSS_IDLE
      gatling TurnSimulation service 100 30 bench-instant > /dev/null
      sample_start
      report=$(gatling TurnSimulation service 500 20 bench-slow)
      sample=$(sample_stop)
      lean_record I "$LABEL-inflight" 500 "$report" turn "$(python3 -c "import json,sys;d=json.loads(sys.argv[1]);d.update(round=$round,rss_idle=$idle);print(json.dumps(d))" "$sample")"
      stop_service
      pin 0 1
    fi
  done
  python3 bench/lean.py "$OUT"/lean/*.jsonl > "$OUT/lean.md"
  cat "$OUT/lean.md"
  log "written to $OUT/lean.md (rows in $OUT/lean/$LABEL.jsonl)"
  exit 0
fi

# ---------------------------------------------------------------- K: a primary fails over under load
# Two PostgreSQL 15 servers of this machine's Debian binaries: a primary (port 5433) and a
# streaming standby of it (5434, pg_basebackup -R). The service's URL lists both with
# targetServerType=primary. Under 50 turns/s and 5 new streams/s, the primary is stopped at once
# (immediate: a crash, no shutdown checkpoint) after 15 s and the standby promoted. Reports: seconds
# from the promotion to the first answered turn, turns that failed (and how), answers StepFun gave
# that the new primary has no ledger row for (asynchronous replication: commits the standby had not
# received), conversations still locked and messages still in progress a minute later, 500s.
if [ "${1:-}" = failover ]; then
  pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres bash -c "$*"; fi; }
  for cluster in fa fb; do pg "pg_dropcluster --stop 15 $cluster" 2>/dev/null || true; done
  log "K: primary fa on 5433, standby fb on 5434"
  pg "pg_createcluster 15 fa -p 5433 >/dev/null"
  cat >> /etc/postgresql/15/fa/postgresql.conf <<'CONF'
listen_addresses = 'localhost'
wal_level = replica
max_wal_senders = 5
hot_standby = on
max_connections = 200
CONF
  echo "host replication bench 127.0.0.1/32 scram-sha-256" >> /etc/postgresql/15/fa/pg_hba.conf
  pg "pg_ctlcluster 15 fa start"
  pg "psql -p 5433 -q -c \"create role bench login replication password 'bench'\" -c 'create database stepchat_bench owner bench'"
  pg "pg_createcluster 15 fb -p 5434 >/dev/null"
  tail -5 /etc/postgresql/15/fa/postgresql.conf >> /etc/postgresql/15/fb/postgresql.conf
  cp /etc/postgresql/15/fa/pg_hba.conf /etc/postgresql/15/fb/pg_hba.conf
  pg "rm -rf /var/lib/postgresql/15/fb && PGPASSWORD=bench pg_basebackup -h localhost -p 5433 -U bench -D /var/lib/postgresql/15/fb -R -X stream"
  pg "pg_ctlcluster 15 fb start"
  until [ "$(PGPASSWORD=bench psql -h localhost -p 5434 -U bench -d stepchat_bench -Atc 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; do sleep 0.2; done
  DB_URL="jdbc:postgresql://localhost:5433,localhost:5434/stepchat_bench?targetServerType=primary"
  sql() { PGPASSWORD=bench psql -h localhost -p "${SQL_PORT:-5433}" -U bench -d stepchat_bench -At -v ON_ERROR_STOP=1 -c "$1"; }
  start_service jvm
  gatling TurnSimulation service 50 20 bench-instant > /dev/null   # warm-up
  log "K: 50 turns/s and 5 streams/s for 45 s; the primary stopped (immediate) and the standby promoted after 15 s"
  ( gatling TurnSimulation service 50 45 bench-instant > "$WORK/failover-turns.txt" ) &
  TURNS=$!
  ( CSV_NAME=streams gatling StreamSimulation service 5 45 bench-stream > "$WORK/failover-streams.txt" ) &
  STREAMS=$!
  sleep 15
  pg "pg_ctlcluster 15 fa stop -m immediate"
  pg "pg_ctlcluster 15 fb promote"
  promoted=$(now_ms)
  SQL_PORT=5434
  log "K: standby promoted; probing for the first turn that succeeds"
  id=""
  until [ -n "$id" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$APP/conversations/$id/messages" \
      -H 'Content-Type: application/json' -d '{"content":"probe"}')" = 201 ]; do
    [ -n "$id" ] || id=$(curl -sf -X POST "$APP/conversations" -H 'Content-Type: application/json' \
        -d '{"model":"bench-instant"}' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p') || true
    sleep 0.05
  done
  recovered=$(( $(now_ms) - promoted ))
  log "K: first turn answered $recovered ms after the promotion"
  wait "$TURNS" "$STREAMS" || true
  sleep 60  # leases of turns cut by the failover expire, kept answers are retried
  answered=$(curl -s "$APP/q/metrics" | awk -F' ' '/^stepchat_upstream_seconds_count\{.*outcome="ok"/ {s+=$2} END {print int(s)}')
  ledger=$(sql "select count(*) from usage_record")
  locked=$(sql "select count(*) from conversation where turn_lease_until is not null")
  stuck=$(sql "select count(*) from message where status = 'IN_PROGRESS'")
  record K service 50 "$(cat "$WORK/failover-turns.txt")" turn "{\"recovered_ms\": $recovered, \"upstream_answered\": $answered, \"ledger_rows\": $ledger, \"locked\": $locked, \"in_progress\": $stuck, \"faults\": $(faults)}"
  record K service-streams 5 "$(cat "$WORK/failover-streams.txt")" connect
  tail -2 "$RESULTS"
  python3 - "$RESULTS" > "$OUT/failover.md" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
turns = next(r for r in rows if r["target"] == "service")
streams = next(r for r in rows if r["target"] == "service-streams")
print("| a primary stopped (immediate) and its standby promoted, under 50 turns/s and 5 streams/s | |")
print("|---|---|")
print(f"| first turn answered after the promotion | {turns['recovered_ms'] / 1000:.1f} s |")
print(f"| turns sent / failed | {int(turns['count'])} / {int(turns['ko'])} |")
print(f"| streams opened / failed | {int(streams['count'])} / {int(streams['ko'])} |")
print(f"| answers StepFun gave / ledger rows on the new primary | {turns['upstream_answered']} / {turns['ledger_rows']} |")
print(f"| conversations still locked / messages in progress, a minute later | {turns['locked']} / {turns['in_progress']} |")
print(f"| 500s / 503s | {turns['faults']['http_500']} / {turns['faults']['http_503']} |")
PY
  cat "$OUT/failover.md"
  cp "$RESULTS" "$OUT/failover.jsonl"
  stop_service
  for cluster in fa fb; do pg "pg_dropcluster --stop 15 $cluster" 2>/dev/null || true; done
  exit 0
fi

# ---------------------------------------------------------------- G: PostgreSQL restarted under load
if [ "${1:-}" = restart ]; then
  start_service jvm
  gatling TurnSimulation service 100 30 bench-instant > /dev/null   # warm-up
  log "G: 100 turns/s for 40 s; PostgreSQL restarted (fast) after 15 s"
  report_dir=""
  ( gatling TurnSimulation service 100 40 bench-instant > "$WORK/restart-report.txt" ) &
  LOAD=$!
  sleep 15
  if [ "$(id -u)" = 0 ]; then pg_ctlcluster 15 main restart -m fast; else sudo pg_ctlcluster 15 main restart -m fast; fi
  back=$(now_ms)
  log "G: PostgreSQL is back; probing for the first turn that succeeds"
  id=$(curl -sf -X POST "$APP/conversations" -H 'Content-Type: application/json' -d '{"model":"bench-instant"}' \
        | sed -n 's/.*"id":"\([^"]*\)".*/\1/p') || true
  until [ -n "$id" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$APP/conversations/$id/messages" \
      -H 'Content-Type: application/json' -d '{"content":"probe"}')" = 201 ]; do
    sleep 0.05
    [ -n "$id" ] || id=$(curl -sf -X POST "$APP/conversations" -H 'Content-Type: application/json' \
        -d '{"model":"bench-instant"}' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p') || true
  done
  recovered=$(( $(now_ms) - back ))
  wait "$LOAD" || true
  sleep 5  # kept answers are retried every 2 s
  report=$(cat "$WORK/restart-report.txt")
  answered=$(curl -s "$APP/q/metrics" | awk -F' ' '/^stepchat_upstream_seconds_count\{.*mode="json".*outcome="ok"/ {s+=$2} END {print int(s)}')
  ledger=$(sql "select count(*) from usage_record")
  stuck=$(sql "select count(*) from message where status = 'IN_PROGRESS'")
  record G service 100 "$report" turn "{\"recovered_ms\": $recovered, \"upstream_answered\": $answered, \"ledger_rows\": $ledger, \"in_progress\": $stuck, \"faults\": $(faults)}"
  tail -1 "$RESULTS"
  stop_service
  exit 0
fi

start_service jvm

# ---------------------------------------------------------------- warm-up (not reported)
log "warm-up (JIT): 60 s at 100 turns/s, then 20 s at 200"
gatling TurnSimulation service 100 60 bench-instant > /dev/null
gatling TurnSimulation service 200 20 bench-instant > /dev/null
gatling TurnSimulation service 20 20 bench-slow > /dev/null
gatling StreamSimulation service 10 10 bench-stream > /dev/null
gatling TurnSimulation simulator 200 10 bench-instant > /dev/null
RSS_WARM=$(rss)

# ---------------------------------------------------------------- A: instant upstream, rising rates
log "A: instant upstream"
PEAK=0
for rate in 100 200 300 400 500 700 1000; do
  report=$(gatling TurnSimulation service $rate 10 bench-instant)
  record A service $rate "$report" turn
  floor=$(gatling TurnSimulation simulator $rate 10 bench-instant)
  record A simulator $rate "$floor" turn
  ok=$(tail -2 "$RESULTS" | sed -n 1p | python3 -c "import json,sys;r=json.load(sys.stdin);print(1 if r.get('ko')==0 and r.get('p99') is not None and r['p99']<=100 else 0)")
  [ "$ok" = 1 ] || break
  PEAK=$rate
done
log "A: highest sustained rate $PEAK turns/s"

# ---------------------------------------------------------------- B: slow upstream (4 s)
log "B: slow upstream"
for rate in 50 125 250 500; do
  sample_start
  report=$(gatling TurnSimulation service $rate 20 bench-slow)
  sample=$(sample_stop)
  record B service $rate "$report" turn "$sample"
  floor=$(gatling TurnSimulation simulator $rate 20 bench-slow)
  record B simulator $rate "$floor" turn
done

# ---------------------------------------------------------------- C: streaming, 20 chunks over 2 s
log "C: streaming"
report=$(gatling StreamSimulation service 20 15 bench-stream)
record C service 20 "$report" connect
record C service-first 20 "$report" first
floor=$(gatling StreamSimulation simulator 20 15 bench-stream)
record C simulator 20 "$floor" connect
record C simulator-first 20 "$floor" first

# ---------------------------------------------------------------- summary
python3 bench/summary.py "$RESULTS" "$STARTUP_MS" "$RSS_IDLE" "$RSS_WARM" "$PEAK" > "$OUT/summary.md"
cat "$OUT/summary.md"
log "written to $OUT/summary.md; Gatling reports in $WORK/gatling/"
