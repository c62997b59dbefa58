#!/usr/bin/env bash
# Runs every test. The integration tests drive real peers (ffmpeg publishing and probing,
# nginx-rtmp as a destination, nginx's stream module as a TLS front, headless Chromium
# rendering the /stat page, chromedriver driving it through the web app, OBS Studio on a
# virtual display (Xvfb, Mesa's software GL) as the encoder that reconnects, a Docker engine
# with docker-compose building and running the image, debootstrap making its base images), so
# they are installed
# here with apt-get when missing. Any extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")"

modules=/usr/lib/nginx/modules
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -e "$modules/ngx_rtmp_module.so" ] || missing+=(libnginx-mod-rtmp)
[ -e "$modules/ngx_stream_module.so" ] || missing+=(libnginx-mod-stream)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# README.md's walkthrough, which ReadmeWalkthroughTest runs as printed.
command -v curl >/dev/null 2>&1 || missing+=(curl)
# BackupRestoreTest traces the backup's file creations (modes from the first moment).
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# OBS Studio headless: its X display, and Mesa's EGL and software OpenGL (llvmpipe), which
# --no-install-recommends would otherwise leave out.
command -v obs >/dev/null 2>&1 || missing+=(obs-studio)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
for pkg in libegl-mesa0 libgl1-mesa-dri; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# ffmpeg 8.1 (relay-testkit's ModernFfmpeg, fetched by Maven) links libavdevice to PulseAudio's client library.
dpkg -s libpulse0 >/dev/null 2>&1 || missing+=(libpulse0)
# relay-testkit's PostgresServer: the store tests and PostgresStoreEndToEndTest run on a real PostgreSQL.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
# MultiNodeDeploymentFilesTest checks deploy/multi-node/haproxy.cfg with HAProxy itself (haproxy -c).
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
# DockerComposeDeploymentTest runs the image with Debian's docker-compose (v1) in a real engine
# (docker.io's dockerd, which the test starts when none runs), from base images it makes with
# debootstrap; DockerComposeFileTest validates the file with it.
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)

if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing test peers: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if [[ " ${missing[*]} " == *" postgresql "* ]]; then
      echo "test.sh: the PostgreSQL server (Debian's postgresql package) is missing and this is not root: run" >&2
      echo "test.sh:   sudo apt-get install postgresql   (or run test.sh as root, as CI does)" >&2
      exit 1
    fi
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

status=0
mvn -B verify "$@" || status=$?

# CI shows only the end of this output: say which sockets the relays under test ran on.
reports=relay-app/target/surefire-reports
if [ -d "$reports" ]; then
  echo "test.sh: relays started by relay-app's tests, by transport (kernel $(uname -r)):"
  cat "$reports"/TEST-*.xml 2>/dev/null | grep -oE "RTMP event loops on (io_uring|Java NIO)" | sort | uniq -c || true
  # The relay in the container, with the Docker version and the test's step times.
  grep -h "^DockerComposeDeploymentTest:" "$reports"/*-output.txt 2>/dev/null || echo "test.sh: DockerComposeDeploymentTest did not finish"
fi
exit $status
