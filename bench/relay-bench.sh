#!/usr/bin/env bash
# Relay cost, side by side: one ~6 Mbit/s 720p30 publisher relayed (codec copy) to N
# destinations on one local nginx-rtmp sink, by one of:
#   ours            the runnable jar (RELAY_JAR, default relay-app/target/streamhelper-relay.jar),
#                   destinations given in a streams file
#   nginx-push      nginx-rtmp with one `push` directive per destination
#   ffmpeg-per-dest one ffmpeg -c copy process per destination (this product's original design)
# Prints one line: relay=... n=... cpu_pct=... pss_mb=... live=K/N live_first_pass=J sink_cpu_pct=...
# cpu_pct is the relay's processes' CPU time over the window as a share of one core; pss_mb their
# proportional set size at the end; live counts destinations where ffprobe reads H.264;
# sink_cpu_pct is the sink's CPU over the same window (on loopback, part of what a sender's writes
# cost the kernel is charged to whichever process runs the receive path).
# usage: bench/relay-bench.sh RELAY N [SECONDS]
set -euo pipefail
RELAY=$1; N=$2; WINDOW=${3:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${RELAY_JAR:-$ROOT/relay-app/target/streamhelper-relay.jar}
CLIP=${BENCH_CLIP:-$ROOT/bench/.cache/clip-720p30-6M.flv}
MODULE_DIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
SINK=${SINK_PORT:-39351}; INGEST=${INGEST_PORT:-39350}; HTTP=${HTTP_PORT:-39380}
TMP=$(mktemp -d)
MEASURED=()
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

if [ ! -s "$CLIP" ]; then
  mkdir -p "$(dirname "$CLIP")"
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 -c:v libx264 -preset veryfast \
    -b:v 6M -maxrate 6M -bufsize 12M -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p \
    -c:a aac -b:a 160k -f flv "$CLIP.partial" && mv "$CLIP.partial" "$CLIP"
fi

nginx_rtmp sink "$SINK" "application app { live on; }"
SINK_PIDS=("${PIDS[-1]}")
wait_port "$SINK"
PUBLISH=rtmp://127.0.0.1:$INGEST/live/bench-key
case $RELAY in
  ours)
    start_ours "$N" "rtmp://127.0.0.1:$SINK/app" "$INGEST" "$HTTP"
    MEASURED+=("${PIDS[-1]}")
    wait_port "$INGEST" ;;
  nginx-push)
    nginx_rtmp relay "$INGEST" "application live { live on; $(push_directives "$N" "rtmp://127.0.0.1:$SINK/app") }"
    MEASURED+=("${PIDS[-1]}")
    wait_port "$INGEST" ;;
  ffmpeg-per-dest)
    nginx_rtmp relay "$INGEST" "application live { live on; }"   # the ingest; not measured
    wait_port "$INGEST" ;;
  *) echo "unknown relay '$RELAY' (ours, nginx-push, ffmpeg-per-dest)" >&2; exit 2 ;;
esac

ffmpeg -nostdin -hide_banner -loglevel error -re -stream_loop -1 -i "$CLIP" -c copy -f flv "$PUBLISH" >"$TMP/publisher.log" 2>&1 &
PIDS+=($!)
sleep 2
if [ "$RELAY" = ffmpeg-per-dest ]; then
  for i in $(seq 1 "$N"); do
    ffmpeg -nostdin -hide_banner -loglevel error -i "$PUBLISH" -c copy -f flv "rtmp://127.0.0.1:$SINK/app/d$i" >"$TMP/copy$i.log" 2>&1 &
    PIDS+=($!); MEASURED+=($!)
  done
fi
sleep "${WARMUP:-8}"   # every destination connected and past start-up

cpu_ticks() { local sum=0; for p in "$@"; do [ -r "/proc/$p/stat" ] && sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$sum"; }
BEFORE=$(cpu_ticks "${MEASURED[@]}"); SINK_BEFORE=$(cpu_ticks "${SINK_PIDS[@]}")
sleep "$WINDOW"
AFTER=$(cpu_ticks "${MEASURED[@]}"); SINK_AFTER=$(cpu_ticks "${SINK_PIDS[@]}")
PSS_KB=0; for p in "${MEASURED[@]}"; do [ -r "/proc/$p/smaps_rollup" ] && PSS_KB=$((PSS_KB + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup"))); done
# Probe ten destinations at a time (each waits up to a keyframe interval); measuring is over.
probe() { timeout 8 ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "rtmp://127.0.0.1:$SINK/app/d$1" 2>/dev/null | grep -q h264 && touch "$TMP/live.$1"; }
# A probe that times out on a busy sink is not a destination without the stream: those that
# failed get a second pass, for every relay alike (LIVE_FIRST_PASS says how many needed it).
probe_all() {
  local PROBES=()
  for i in "$@"; do
    probe "$i" & PROBES+=($!)
    if [ ${#PROBES[@]} -eq 10 ]; then wait "${PROBES[@]}" || true; PROBES=(); fi
  done
  [ ${#PROBES[@]} -eq 0 ] || wait "${PROBES[@]}" || true
}
probe_all $(seq 1 "$N")
LIVE_FIRST_PASS=$(find "$TMP" -maxdepth 1 -name 'live.*' | wc -l)
MISSED=(); for i in $(seq 1 "$N"); do [ -e "$TMP/live.$i" ] || MISSED+=("$i"); done
[ ${#MISSED[@]} -eq 0 ] || probe_all "${MISSED[@]}"
LIVE=$(find "$TMP" -maxdepth 1 -name 'live.*' | wc -l)
HZ=$(getconf CLK_TCK)
echo "relay=$RELAY n=$N cpu_pct=$(echo "scale=2; 100 * ($AFTER - $BEFORE) / $HZ / $WINDOW" | bc) pss_mb=$(echo "scale=1; $PSS_KB / 1024" | bc) live=$LIVE/$N live_first_pass=$LIVE_FIRST_PASS" \
  "sink_cpu_pct=$(echo "scale=2; 100 * ($SINK_AFTER - $SINK_BEFORE) / $HZ / $WINDOW" | bc)"
