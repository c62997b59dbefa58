#!/usr/bin/env bash
# Latency a relay adds, and time from publish to every destination live, side by side:
# bench/LatencyProbe.java publishes a synthetic 6 Mbit/s 30 fps stream to the relay and is itself
# the sink of its N destinations, timing each frame from send to arrival.
#   RELAY: ours | nginx-push
# PUBLISHES=K (default 1) publishes K times in a row to the same relay process: the first shows a
# relay that has just started (cold code), the later ones a relay that has been running.
# STREAMS=M (default 1) measures stream 1 of the service shape: M-1 more publishers (the 720p clip
# at BITRATE, default 3M, looped by ffmpeg) relayed beside it to their own N destinations each, on a
# separate nginx-rtmp sink, so that the probed stream shares the relay with M-1 others.
# usage: bench/latency-bench.sh RELAY N [SECONDS]
set -euo pipefail
RELAY=$1; N=$2; SECONDS_TO_RUN=${3:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${RELAY_JAR:-$ROOT/relay-app/target/streamhelper-relay.jar}
MODULE_DIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
SINK=${SINK_PORT:-39451}; INGEST=${INGEST_PORT:-39450}; HTTP=${HTTP_PORT:-39480}
M=${STREAMS:-1}; BITRATE=${BITRATE:-3M}; OTHERS=${OTHERS_SINK_PORT:-39452}
CLIP=${BENCH_CLIP:-$ROOT/bench/.cache/clip-720p30-$BITRATE.flv}
TMP=$(mktemp -d)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

if [ "$M" -gt 1 ]; then
  make_clip "$CLIP" "$BITRATE"
  nginx_rtmp others "$OTHERS" "application app { live on; }"
  wait_port "$OTHERS"
fi
case $RELAY in
  ours)
    start_ours "$N" "rtmp://127.0.0.1:$SINK/live" "$INGEST" "$HTTP" "$M" "rtmp://127.0.0.1:$OTHERS/app" ;;
  nginx-push)
    nginx_rtmp relay "$INGEST" "$(nginx_applications "$N" "rtmp://127.0.0.1:$SINK/live" "$M" "rtmp://127.0.0.1:$OTHERS/app")" ;;
  *) echo "unknown relay '$RELAY' (ours, nginx-push)" >&2; exit 2 ;;
esac
wait_port "$INGEST"
if [ "$M" -gt 1 ]; then
  URLS=(); for m in $(seq 2 "$M"); do URLS+=("$(publish_url "$RELAY" "$INGEST" "$m")"); done
  publish_clip "$CLIP" "$TMP/publishers.log" "${URLS[@]}"
  sleep "${WARMUP:-8}"   # the other streams live at their destinations before the probe publishes
fi
# Compiled ahead: run as a source file, javac's own code would be JIT-compiled beside the measurement.
javac -nowarn -cp "$JAR" -d "$TMP/probe" "$ROOT/bench/LatencyProbe.java"
for publish in $(seq 1 "${PUBLISHES:-1}"); do
  echo -n "relay=$RELAY n=$N streams=$M publish=$publish load=$(cut -d' ' -f1 /proc/loadavg) "
  # The probe's own sink logs every connection; only its result line belongs on stdout.
  java -DRELAY_LOG_LEVEL=WARN -cp "$JAR:$TMP/probe" LatencyProbe "rtmp://127.0.0.1:$INGEST/live" bench-key "$SINK" "$N" "$SECONDS_TO_RUN" 2>"$TMP/probe.err" \
    || { cat "$TMP/probe.err" >&2; exit 1; }
done
