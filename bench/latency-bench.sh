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
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

case $RELAY in
  ours)
    start_ours "$N" "rtmp://127.0.0.1:$SINK/live" "$INGEST" "$HTTP" ;;
  nginx-push)
    nginx_rtmp relay "$INGEST" "application live { live on; $(push_directives "$N" "rtmp://127.0.0.1:$SINK/live") }" ;;
  *) echo "unknown relay '$RELAY' (ours, nginx-push)" >&2; exit 2 ;;
esac
wait_port "$INGEST"
echo -n "relay=$RELAY n=$N "
# The probe's own sink logs every connection; only its result line belongs on stdout.
java -DRELAY_LOG_LEVEL=WARN -cp "$JAR" "$ROOT/bench/LatencyProbe.java" "rtmp://127.0.0.1:$INGEST/live" bench-key "$SINK" "$N" "$SECONDS_TO_RUN" 2>"$TMP/probe.err" \
  || { cat "$TMP/probe.err" >&2; exit 1; }
