# Base images are build arguments so that a machine without a public registry can build from
# images of its own (relay-app's DockerComposeDeploymentTest makes them from Debian packages);
# the defaults are what an operator's `docker compose build` pulls.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUN_IMAGE=eclipse-temurin:17-jre

# Build: the same Maven build as README's first command, tests skipped (CI runs them).
FROM ${BUILD_IMAGE} AS build
# Optional: a Maven repository to fetch every dependency and plugin from instead of Maven Central
# (a company repository manager, or any static HTTP server over a local repository). Written to
# this stage's settings only: the run image never sees it.
ARG MAVEN_MIRROR_URL=
RUN if [ -n "$MAVEN_MIRROR_URL" ]; then mkdir -p "$HOME/.m2" && printf '%s\n' \
      '<settings><mirrors><mirror><id>build-mirror</id><mirrorOf>*</mirrorOf>' \
      "<url>$MAVEN_MIRROR_URL</url></mirror></mirrors></settings>" > "$HOME/.m2/settings.xml"; fi
WORKDIR /src
COPY pom.xml .
COPY relay-testkit/pom.xml relay-testkit/
COPY relay-logging/pom.xml relay-logging/
COPY relay-engine/pom.xml relay-engine/
COPY relay-catalog/pom.xml relay-catalog/
COPY relay-rtmp/pom.xml relay-rtmp/
COPY relay-api/pom.xml relay-api/
COPY relay-app/pom.xml relay-app/
COPY relay-logscan/pom.xml relay-logscan/
RUN mvn -B -q -Dmaven.test.skip=true dependency:go-offline || true
COPY . .
RUN mvn -B -q -Dmaven.test.skip=true package

# Run: a JRE, curl for the health check, and an unprivileged user owning only /data.
FROM ${RUN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data relay \
 && mkdir -p /data && chown relay /data
COPY --from=build /src/relay-app/target/streamhelper-relay.jar /opt/relay/streamhelper-relay.jar
USER relay
WORKDIR /data
ENV JAVA_OPTS="-Xms64m -Xmx256m"
EXPOSE 1935 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/api/v1/server/healthcheck || exit 1
# exec: the JVM replaces the shell as PID 1, so docker stop's SIGTERM reaches it directly.
# "$@": arguments after the image name reach the jar, so `docker compose run --rm relay restore
# /data/backups/<time>` runs the restore command (docs/backup.md); none means serve.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/relay/streamhelper-relay.jar \"$@\"", "streamhelper-relay"]
