#!/usr/bin/env bash
# What the cluster's status-in-the-heartbeat design costs (issue 24; docs/architecture.md,
# "Several nodes on one PostgreSQL"), on a real PostgreSQL started here:
#  1. size: one node (our jar) relays M streams (COUNTS, default "1 10 30"), each to 3 destinations
#     on a local nginx-rtmp sink, all set up through the REST API; once every destination is live
#     it prints length(status) of its relay_nodes row, and pg_stat_statements' figures for its own
#     heartbeat upserts (calls, mean ms, WAL bytes per call) over WINDOW seconds (default 20);
#  2. write: the heartbeat statement with a status of SYNTH_STREAMS (default 200) streams made of
#     the real entries, timed from Java (JDBC, as the node sends it), on 1 connection and on
#     NODES connections, with the WAL it wrote per statement (pg_current_wal_lsn before/after);
#  3. read: NODES (default 50) rows of that status, the relay's alive-nodes query fetched and every
#     status parsed with Jackson (ClusterStatusBench.java, against the jar's classes), and the
#     plain SELECT timed in psql.
# PostgreSQL runs with its defaults (fsync and synchronous_commit on), as a production one would.
# usage: bench/cluster-status-bench.sh        (output lines key=value; the statuses are kept in
#        bench/.cache/cluster-status/)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${RELAY_JAR:-$ROOT/relay-app/target/streamhelper-relay.jar}
COUNTS=${COUNTS:-1 10 30}
WINDOW=${WINDOW:-20}
SYNTH_STREAMS=${SYNTH_STREAMS:-200}
NODES=${NODES:-50}
WRITES=${WRITES:-500}
BITRATE=${BITRATE:-1M}
CLIP=${BENCH_CLIP:-$ROOT/bench/.cache/clip-720p30-$BITRATE.flv}
OUT=$ROOT/bench/.cache/cluster-status
MODULE_DIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PG_PORT=${PG_PORT:-39460}; SINK=${SINK_PORT:-39461}; INGEST=${INGEST_PORT:-39462}; HTTP=${HTTP_PORT:-39463}
TMP=$(mktemp -d)
chmod 755 "$TMP"
mkdir -p "$OUT"
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

# PostgreSQL refuses to run as root: as root it runs as the postgres user (relay-testkit's
# PostgresServer does the same).
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_stop() { [ -f "$TMP/pg/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -m fast -w stop >/dev/null 2>&1 || true; }
trap 'pg_stop; stop_all' EXIT
psql_su() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
sql() { psql_su -d relay -At -c "$1"; }
# pg_cpu: CPU seconds PostgreSQL has used so far: the postmaster, its live processes, and those
# that exited (reaped into the postmaster's cutime/cstime), so a run's backends count once gone.
pg_cpu() {
  local pm; pm=$(head -1 "$TMP/pg/postmaster.pid")
  { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
    for c in $(cat "/proc/$pm/task/$pm/children"); do awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || true; done
  } | awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.2f", s / hz }'
}

mkdir -p "$TMP/pg" "$TMP/sock"
[ "$(id -u)" -eq 0 ] && chown postgres "$TMP/pg" "$TMP/sock"
as_pg "$PG_BIN/initdb" -D "$TMP/pg" -U postgres --auth=trust >"$TMP/initdb.log"
as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -l "$TMP/sock/pg.log" -w start -o \
  "-p $PG_PORT -k $TMP/sock -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements" >/dev/null
psql_su -d postgres -c "CREATE ROLE relay LOGIN PASSWORD 'bench-password'" -c "CREATE DATABASE relay OWNER relay"
sql "CREATE EXTENSION pg_stat_statements"
DB_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/relay
echo "postgres=$("$PG_BIN/postgres" --version | awk '{print $3}') fsync=$(sql 'SHOW fsync') synchronous_commit=$(sql 'SHOW synchronous_commit') load_start=$(cut -d' ' -f1-3 /proc/loadavg)"

# REAL_STATUS=FILE skips the relay (a status it wrote before, e.g. bench/.cache/cluster-status/status-30.json).
if [ -z "${REAL_STATUS:-}" ]; then
make_clip "$CLIP" "$BITRATE"
nginx_rtmp sink "$SINK" "application app { live on; }"
wait_port "$SINK"

RELAY_RTMP_PORT=$INGEST RELAY_HTTP_PORT=$HTTP RELAY_BIND_ADDRESS=127.0.0.1 RELAY_DATA_DIR=$TMP/data \
  RELAY_DATABASE_URL=$DB_URL RELAY_DATABASE_USER=relay RELAY_DATABASE_PASSWORD=bench-password \
  ENCRYPTION_KEY=$(openssl rand -hex 32) RELAY_NODE_ID=bench-node-1 RELAY_ALLOW_PRIVATE_DESTINATIONS=true \
  RELAY_MAX_CONNECTIONS_PER_ADDRESS=1000 java ${JAVA_OPTS:-} -jar "$JAR" >"$TMP/ours.log" 2>&1 &
RELAY_PID=$!
PIDS+=("$RELAY_PID")
wait_port "$HTTP"
API=http://127.0.0.1:$HTTP/api/v1
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$@"; }
curl -sf -X POST "$API/auth/register" -d '{"email":"bench@example.com","password":"bench passphrase"}' >/dev/null
TOKEN=$(curl -sf -X POST "$API/auth/login" -d '{"email":"bench@example.com","password":"bench passphrase"}' | jq -r .token)

# live_destinations: how many destinations the node's own status row says are live.
live_destinations() {
  sql "SELECT status FROM relay_nodes WHERE node_id = 'bench-node-1'" \
    | jq '[.streams[].destinations[] | select(.status == "live")] | length'
}

created=0
for m in $COUNTS; do
  while [ "$created" -lt "$m" ]; do
    created=$((created + 1))
    stream=$(api -X POST "$API/streams" -d "{\"name\":\"bench stream $created\"}")
    id=$(jq -r .id <<<"$stream")
    for i in 1 2 3; do
      api -X POST "$API/stream-destinations" -d "{\"streamId\":$id,\"platform\":\"custom\",\"displayName\":\"Sink $i\",\
\"rtmpUrl\":\"rtmp://127.0.0.1:$SINK/app\",\"streamKey\":\"s${created}d$i\"}" >/dev/null
    done
    publish_clip "$CLIP" "$TMP/publisher.log" "rtmp://127.0.0.1:$INGEST/live/$(jq -r .key <<<"$stream")"
  done
  for _ in $(seq 1 120); do [ "$(live_destinations)" -ge $((m * 3)) ] && break; sleep 1; done
  sleep 5 # a few heartbeats with every destination live: counters and bitrates filled in
  sql "SELECT pg_stat_statements_reset()" >/dev/null
  sleep "$WINDOW"
  sql "SELECT status FROM relay_nodes WHERE node_id = 'bench-node-1'" >"$OUT/status-$m.json"
  read -r bytes stored < <(sql "SELECT length(status), pg_column_size(status) FROM relay_nodes WHERE node_id = 'bench-node-1'" | tr '|' ' ')
  read -r calls mean_ms wal_per_call < <(sql "SELECT calls, round(mean_exec_time::numeric, 3), round(wal_bytes / calls) FROM pg_stat_statements
    WHERE query LIKE 'INSERT INTO relay_nodes%'" | tr '|' ' ')
  echo "size streams=$m destinations_live=$(live_destinations)/$((m * 3)) status_bytes=$bytes stored_bytes=$stored" \
    "omitted=$(jq .omittedStreams "$OUT/status-$m.json") heartbeats=$calls heartbeat_ms_mean=$mean_ms" \
    "heartbeat_wal_bytes=$wal_per_call relay_cpu_s=$(awk '{print ($14 + $15) / 100}' "/proc/$RELAY_PID/stat") load=$(cut -d' ' -f1-3 /proc/loadavg)"
done
last=${COUNTS##* }
# The envelope ({"node":..,"generatedAt":..,"streams":[],"omittedStreams":0}) is what 0 streams
# cost; the rest divides by the streams. LocalStatus stops listing at 256 KiB, counting 200 bytes
# for the envelope and each entry's length + 1.
per_stream=$(jq -c '.streams[]' "$OUT/status-$last.json" | awk '{ n++; s += length($0) + 1 } END { printf "%.0f", s / n }')
echo "per_stream bytes=$per_stream (mean entry of $last streams) cap_streams=$(( (262144 - 200) / per_stream ))"

# The writer and the reader go on without the relay, its publishers and the sink.
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
wait "$RELAY_PID" 2>/dev/null || true
PIDS=()
sql "DELETE FROM relay_nodes"

REAL_STATUS=$OUT/status-$last.json
else
  # No relay to run the migrations: relay_nodes as V6 makes it.
  sed -n '/^CREATE TABLE relay_nodes/,/;/p' "$ROOT/relay-catalog/src/main/resources/db/migration/V6__cluster.sql" \
    | psql_su -d relay -c "SET ROLE relay" -f -
fi

BENCH=(java -cp "$JAR" "$ROOT/bench/ClusterStatusBench.java")
"${BENCH[@]}" synth "$REAL_STATUS" "$SYNTH_STREAMS" "$OUT/status-synth-$SYNTH_STREAMS.json"
# As fast as one connection goes, as fast as NODES go, and NODES at a node's pace (one every 2 s)
# for PACED_SECONDS (30): what NODES nodes ask of PostgreSQL.
PACED=$(( NODES * ${PACED_SECONDS:-30} / 2 ))
for run in "1 $WRITES 0" "$NODES $WRITES 0" "$NODES $PACED 2000"; do
  read -r conns n every <<<"$run"
  sql "SELECT pg_stat_statements_reset()" >/dev/null
  lsn=$(sql "SELECT pg_current_wal_lsn()"); cpu0=$(pg_cpu); t0=$(date +%s.%N)
  result=$("${BENCH[@]}" write "$DB_URL" relay bench-password "$OUT/status-synth-$SYNTH_STREAMS.json" "$n" "$conns" "$every")
  cpu=$(echo "$(pg_cpu) - $cpu0" | bc); secs=$(echo "$(date +%s.%N) - $t0" | bc)
  read -r wal < <(sql "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn')")
  read -r calls mean_ms wal_pss < <(sql "SELECT calls, round(mean_exec_time::numeric, 3), round(wal_bytes / calls) FROM pg_stat_statements
    WHERE query LIKE 'INSERT INTO relay_nodes%'" | tr '|' ' ')
  echo "$result streams=$SYNTH_STREAMS wal_bytes_per_statement=$(( ${wal%.*} / (n + 20) )) server_calls=$calls server_ms_mean=$mean_ms" \
    "server_wal_bytes_per_call=$wal_pss pg_cpu_s=$cpu wall_s=$secs table_mb=$(sql "SELECT round(pg_total_relation_size('relay_nodes') / 1048576.0, 1)")" \
    "load=$(cut -d' ' -f1-3 /proc/loadavg)"
done

# NODES rows of the synthetic status, alive for the next hour (the read's WHERE keeps them).
sql "DELETE FROM relay_nodes"
for n in $(seq 1 "$NODES"); do
  { printf "INSERT INTO relay_nodes VALUES ('node-%s', 0, CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + 3600000, \$status\$" "$n"
    cat "$OUT/status-synth-$SYNTH_STREAMS.json"; printf "\$status\$);\n"; } 
done | psql_su -d relay
sql "VACUUM ANALYZE relay_nodes"
echo "rows=$(sql 'SELECT count(*) FROM relay_nodes') total_status_bytes=$(sql 'SELECT sum(length(status)) FROM relay_nodes') table_mb=$(sql "SELECT round(pg_total_relation_size('relay_nodes') / 1048576.0, 1)")"
cpu0=$(pg_cpu)
"${BENCH[@]}" read "$DB_URL" relay bench-password "${READS:-30}" 
echo "read pg_cpu_s=$(echo "$(pg_cpu) - $cpu0" | bc) (40 reads: 10 warm-up + ${READS:-30}) load=$(cut -d' ' -f1-3 /proc/loadavg)"
# psql's own \timing of the plain SELECT (output to /dev/null: the time is the server's and the
# transfer, not the terminal's).
{ echo '\timing on'; echo '\o /dev/null'; for _ in 1 2 3 4 5 6; do echo 'SELECT node_id, started_at, heartbeat_at, status FROM relay_nodes;'; done; } \
  | psql_su -d relay | awk '/^Time:/ { t = t " " $2 } END { print "psql_select_ms" t }'
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
