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

# push_directives N APP-URL: nginx-rtmp push lines to APP-URL/d1 .. dN.
push_directives() {
  local out=""
  for i in $(seq 1 "$1"); do out="$out push $2/d$i;"; done
  echo "$out"
}

# start_ours N APP-URL INGEST-PORT HTTP-PORT: our jar, ingest key bench-key, relaying to APP-URL with keys d1 .. dN.
start_ours() {
  {
    printf '{"streams":[{"id":"bench","name":"bench","key":"bench-key","destinations":['
    for i in $(seq 1 "$1"); do
      [ "$i" -gt 1 ] && printf ','
      printf '{"id":"d%s","url":"%s","key":"d%s"}' "$i" "$2" "$i"
    done
    printf ']}]}\n'
  } >"$TMP/streams.json"
  # The sink is on loopback, which the relay refuses for destinations unless told otherwise.
  RELAY_RTMP_PORT=$3 RELAY_HTTP_PORT=$4 RELAY_BIND_ADDRESS=127.0.0.1 RELAY_STREAMS_FILE=$TMP/streams.json \
    RELAY_DATA_DIR=$TMP/data RELAY_ALLOW_PRIVATE_DESTINATIONS=true \
    java ${JAVA_OPTS:-} -jar "$JAR" >"$TMP/ours.log" 2>&1 &
  PIDS+=($!)
}
