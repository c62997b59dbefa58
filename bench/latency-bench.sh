#!/usr/bin/env bash
# Latency a relay adds, and time from publish to every destination live, side by side:
# bench/LatencyProbe.java publishes a synthetic 6 Mbit/s 30 fps stream to the relay and is itself
# the sink of its N destinations, timing each frame from send to arrival.
#   RELAY: ours | nginx-push
# PUBLISHES=K (default 1) publishes K times in a row to the same relay process: the first shows a
# relay that has just started (cold code), the later ones a relay that has been running.
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
# Compiled ahead: run as a source file, javac's own code would be JIT-compiled beside the measurement.
javac -nowarn -cp "$JAR" -d "$TMP/probe" "$ROOT/bench/LatencyProbe.java"
for publish in $(seq 1 "${PUBLISHES:-1}"); do
  echo -n "relay=$RELAY n=$N publish=$publish "
  # The probe's own sink logs every connection; only its result line belongs on stdout.
  java -DRELAY_LOG_LEVEL=WARN -cp "$JAR:$TMP/probe" LatencyProbe "rtmp://127.0.0.1:$INGEST/live" bench-key "$SINK" "$N" "$SECONDS_TO_RUN" 2>"$TMP/probe.err" \
    || { cat "$TMP/probe.err" >&2; exit 1; }
done
