#!/usr/bin/env bash
# Latency a relay adds, and time from publish to every destination live, side by side:
# bench/LatencyProbe.java publishes a synthetic 6 Mbit/s 30 fps stream to the relay and is itself
# the sink of its N destinations, timing each frame from send to arrival.
#   RELAY: ours | nginx-push
# usage: bench/latency-bench.sh RELAY N [SECONDS]
set -euo pipefail
RELAY=$1; N=$2; SECONDS_TO_RUN=${3:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${RELAY_JAR:-$ROOT/relay-app/target/streamhelper-relay.jar}
MODULE_DIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
SINK=${SINK_PORT:-39451}; INGEST=${INGEST_PORT:-39450}; HTTP=${HTTP_PORT:-39480}
TMP=$(mktemp -d)
PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap stop_all EXIT
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

case $RELAY in
  ours)
    {
      printf '{"streams":[{"id":"bench","name":"bench","key":"bench-key","destinations":['
      for i in $(seq 1 "$N"); do
        [ "$i" -gt 1 ] && printf ','
        printf '{"id":"d%s","url":"rtmp://127.0.0.1:%s/live","key":"d%s"}' "$i" "$SINK" "$i"
      done
      printf ']}]}\n'
    } >"$TMP/streams.json"
    RELAY_RTMP_PORT=$INGEST RELAY_HTTP_PORT=$HTTP RELAY_BIND_ADDRESS=127.0.0.1 RELAY_STREAMS_FILE=$TMP/streams.json \
      java ${JAVA_OPTS:-} -jar "$JAR" >"$TMP/ours.log" 2>&1 &
    PIDS+=($!) ;;
  nginx-push)
    PUSHES=""; for i in $(seq 1 "$N"); do PUSHES="$PUSHES push rtmp://127.0.0.1:$SINK/live/d$i;"; done
    cat >"$TMP/relay.conf" <<CONF
load_module $MODULE_DIR/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1;
pid $TMP/relay.pid; error_log $TMP/relay.log warn;
events { worker_connections 4096; }
rtmp { server { listen 127.0.0.1:$INGEST; chunk_size 4096; application live { live on; $PUSHES } } }
CONF
    nginx -p "$TMP" -c "$TMP/relay.conf" >>"$TMP/relay.log" 2>&1 &
    PIDS+=($!) ;;
  *) echo "unknown relay '$RELAY' (ours, nginx-push)" >&2; exit 2 ;;
esac
wait_port "$INGEST"
echo -n "relay=$RELAY n=$N "
java -cp "$JAR" "$ROOT/bench/LatencyProbe.java" "rtmp://127.0.0.1:$INGEST/live" bench-key "$SINK" "$N" "$SECONDS_TO_RUN" 2>"$TMP/probe.err" \
  || { cat "$TMP/probe.err" >&2; exit 1; }
