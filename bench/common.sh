# Shared by relay-bench.sh and latency-bench.sh: process bookkeeping, nginx-rtmp instances,
# and starting our relay on a streams file. Expects TMP, JAR and MODULE_DIR to be set.
PIDS=()

stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap stop_all EXIT

wait_port() {
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "port $1 never opened" >&2; exit 1
}

# nginx_rtmp NAME PORT SERVER-BODY: one single-process nginx-rtmp on 127.0.0.1:PORT.
nginx_rtmp() {
  cat >"$TMP/$1.conf" <<CONF
load_module $MODULE_DIR/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1;
pid $TMP/$1.pid; error_log $TMP/$1.log warn;
events { worker_connections 4096; }
rtmp { server { listen 127.0.0.1:$2; chunk_size 4096; $3 } }
CONF
  nginx -p "$TMP" -c "$TMP/$1.conf" >>"$TMP/$1.log" 2>&1 &
  PIDS+=($!)
}

# The service shape (STREAMS=M, default 1) names stream 1 as the single-stream harnesses always
# did, so that their figures and LatencyProbe's sink (keys d1 .. dN) stay as they were:
# stream_key M: the ingest key of stream M; dest_key M I: the key of its destination I.
stream_key() { if [ "$1" -eq 1 ]; then echo bench-key; else echo "bench-key-$1"; fi; }
dest_key() { if [ "$1" -eq 1 ]; then echo "d$2"; else echo "s$1d$2"; fi; }

# push_directives N APP-URL [M]: nginx-rtmp push lines for stream M (default 1) to its N destinations.
push_directives() {
  local out=""
  for i in $(seq 1 "$1"); do out="$out push $2/$(dest_key "${3:-1}" "$i");"; done
  echo "$out"
}

# nginx_applications N APP-URL M [OTHERS-APP-URL]: nginx-rtmp's side of the service shape, one
# `application sM` per stream with its own pushes (nginx-rtmp pushes every stream of an application
# to every push URL of it, so per-stream destinations need per-stream applications). Stream 1 is
# `application live`, as in the single-stream harnesses; streams 2 .. M push to OTHERS-APP-URL
# (default APP-URL).
nginx_applications() {
  local out="application live { live on; $(push_directives "$1" "$2" 1) }"
  for m in $(seq 2 "$3"); do out="$out application s$m { live on; $(push_directives "$1" "${4:-$2}" "$m") }"; done
  echo "$out"
}

# start_ours N APP-URL INGEST-PORT HTTP-PORT [M [OTHERS-APP-URL]]: our jar with M streams (default
# 1), stream m on key $(stream_key m) relaying to its N destinations $(dest_key m i); stream 1 to
# APP-URL, the others to OTHERS-APP-URL (default APP-URL).
start_ours() {
  local streams=${5:-1}
  {
    printf '{"streams":['
    for m in $(seq 1 "$streams"); do
      local url=$2; [ "$m" -gt 1 ] && { url=${6:-$2}; printf ','; }
      if [ "$m" -eq 1 ]; then printf '{"id":"bench","name":"bench",'; else printf '{"id":"bench-%s","name":"bench %s",' "$m" "$m"; fi
      printf '"key":"%s","destinations":[' "$(stream_key "$m")"
      for i in $(seq 1 "$1"); do
        [ "$i" -gt 1 ] && printf ','
        printf '{"id":"d%s","url":"%s","key":"%s"}' "$i" "$url" "$(dest_key "$m" "$i")"
      done
      printf ']}'
    done
    printf ']}\n'
  } >"$TMP/streams.json"
  # The sink is on loopback, which the relay refuses for destinations unless told otherwise; every
  # publisher of the service shape connects from 127.0.0.1, past the default 50 per address.
  RELAY_RTMP_PORT=$3 RELAY_HTTP_PORT=$4 RELAY_BIND_ADDRESS=127.0.0.1 RELAY_STREAMS_FILE=$TMP/streams.json \
    RELAY_DATA_DIR=$TMP/data RELAY_ALLOW_PRIVATE_DESTINATIONS=true \
    RELAY_MAX_CONNECTIONS_PER_ADDRESS=${RELAY_MAX_CONNECTIONS_PER_ADDRESS:-1000} \
    java ${JAVA_OPTS:-} -jar "$JAR" >"$TMP/ours.log" 2>&1 &
  PIDS+=($!)
}

# publish_url RELAY INGEST-PORT M: where stream M's encoder publishes (ours: /live/<key> for every
# stream; nginx-rtmp: stream M's own application).
publish_url() {
  local app=live; [ "$1" = nginx-push ] && [ "$3" -gt 1 ] && app=s$3
  echo "rtmp://127.0.0.1:$2/$app/$(stream_key "$3")"
}

# make_clip CLIP BITRATE: a 20 s 720p30 H.264 + AAC clip at BITRATE (e.g. 6M), made once.
make_clip() {
  if [ ! -s "$1" ]; then
    mkdir -p "$(dirname "$1")"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
      -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 -c:v libx264 -preset veryfast \
      -b:v "$2" -maxrate "$2" -bufsize "$((${2%M} * 2))M" -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p \
      -c:a aac -b:a 160k -f flv "$1.partial" && mv "$1.partial" "$1"
  fi
}

# publish_clip CLIP LOG URL..: one encoder per URL, the clip looped in real time, codec copy.
# One ffmpeg process per stream, as M streamers would be; their CPU is not the relay's.
publish_clip() {
  local clip=$1 log=$2; shift 2
  for url in "$@"; do
    ffmpeg -nostdin -hide_banner -loglevel error -re -stream_loop -1 -i "$clip" -c copy -f flv "$url" >>"$log" 2>&1 &
    PIDS+=($!)
  done
}
