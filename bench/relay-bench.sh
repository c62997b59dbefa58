#!/usr/bin/env bash
# Relay cost, side by side: one ~6 Mbit/s 720p30 publisher relayed (codec copy) to N
# destinations on one local nginx-rtmp sink, by one of:
#   ours            the runnable jar (RELAY_JAR, default relay-app/target/streamhelper-relay.jar),
#                   destinations given in a streams file
#   nginx-push      nginx-rtmp with one `push` directive per destination
#   ffmpeg-per-dest one ffmpeg -c copy process per destination (this product's original design)
# STREAMS=M (default 1) is the service shape: M publishers, each relayed to its own N destinations
# (ours, nginx-push), at BITRATE (default 6M with one stream, 3M with several).
# Prints one line: relay=... n=... cpu_pct=... pss_mb=... live=K/N live_first_pass=J sink_cpu_pct=...
# streams=M machine_pct=... load=...
# cpu_pct is the relay's processes' CPU time over the window as a share of one core; pss_mb their
# proportional set size at the end; live counts destinations where ffprobe reads H.264;
# machine_pct is cpu_pct as a share of all the machine's cores; load the 1-minute load average at
# the end of the window (other work on the machine shows there);
# sink_cpu_pct is the sink's CPU over the same window (on loopback, part of what a sender's writes
# cost the kernel is charged to whichever process runs the receive path).
# usage: bench/relay-bench.sh RELAY N [SECONDS]
set -euo pipefail
RELAY=$1; N=$2; WINDOW=${3:-20}
M=${STREAMS:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${RELAY_JAR:-$ROOT/relay-app/target/streamhelper-relay.jar}
if [ "$M" -gt 1 ]; then BITRATE=${BITRATE:-3M}; else BITRATE=${BITRATE:-6M}; fi
CLIP=${BENCH_CLIP:-$ROOT/bench/.cache/clip-720p30-$BITRATE.flv}
MODULE_DIR=${NGINX_MODULES:-/usr/lib/nginx/modules}
SINK=${SINK_PORT:-39351}; INGEST=${INGEST_PORT:-39350}; HTTP=${HTTP_PORT:-39380}
TMP=$(mktemp -d)
MEASURED=()
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

make_clip "$CLIP" "$BITRATE"

nginx_rtmp sink "$SINK" "application app { live on; }"
SINK_PIDS=("${PIDS[-1]}")
wait_port "$SINK"
PUBLISH=rtmp://127.0.0.1:$INGEST/live/bench-key
case $RELAY in
  ours)
    start_ours "$N" "rtmp://127.0.0.1:$SINK/app" "$INGEST" "$HTTP" "$M"
    MEASURED+=("${PIDS[-1]}")
    wait_port "$INGEST" ;;
  nginx-push)
    nginx_rtmp relay "$INGEST" "$(nginx_applications "$N" "rtmp://127.0.0.1:$SINK/app" "$M")"
    MEASURED+=("${PIDS[-1]}")
    wait_port "$INGEST" ;;
  ffmpeg-per-dest)
    [ "$M" -eq 1 ] || { echo "ffmpeg-per-dest measures one stream (STREAMS unset)" >&2; exit 2; }
    nginx_rtmp relay "$INGEST" "application live { live on; }"   # the ingest; not measured
    wait_port "$INGEST" ;;
  *) echo "unknown relay '$RELAY' (ours, nginx-push, ffmpeg-per-dest)" >&2; exit 2 ;;
esac

URLS=(); for m in $(seq 1 "$M"); do URLS+=("$(publish_url "$RELAY" "$INGEST" "$m")"); done
publish_clip "$CLIP" "$TMP/publisher.log" "${URLS[@]}"
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
probe() { timeout 8 ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "rtmp://127.0.0.1:$SINK/app/$1" 2>/dev/null | grep -q h264 && touch "$TMP/live.$1"; }
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
DESTS=(); for m in $(seq 1 "$M"); do for i in $(seq 1 "$N"); do DESTS+=("$(dest_key "$m" "$i")"); done; done
LOAD=$(cut -d' ' -f1 /proc/loadavg)
probe_all "${DESTS[@]}"
LIVE_FIRST_PASS=$(find "$TMP" -maxdepth 1 -name 'live.*' | wc -l)
MISSED=(); for d in "${DESTS[@]}"; do [ -e "$TMP/live.$d" ] || MISSED+=("$d"); done
[ ${#MISSED[@]} -eq 0 ] || probe_all "${MISSED[@]}"
LIVE=$(find "$TMP" -maxdepth 1 -name 'live.*' | wc -l)
HZ=$(getconf CLK_TCK)
CPU=$(echo "scale=2; 100 * ($AFTER - $BEFORE) / $HZ / $WINDOW" | bc)
echo "relay=$RELAY n=$N cpu_pct=$CPU pss_mb=$(echo "scale=1; $PSS_KB / 1024" | bc) live=$LIVE/${#DESTS[@]} live_first_pass=$LIVE_FIRST_PASS" \
  "sink_cpu_pct=$(echo "scale=2; 100 * ($SINK_AFTER - $SINK_BEFORE) / $HZ / $WINDOW" | bc) streams=$M machine_pct=$(echo "scale=2; $CPU / $(nproc)" | bc) load=$LOAD"
