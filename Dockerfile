# Chorus: one image for every service (`chorus-node --services <name>|all`),
# the operator CLI (`chorus`) and the web player's files (`chorus web`).
#
#   docker build -t chorus .        (or: podman build -t chorus .)
#   docker run --rm --network host -e CHORUS_NATS_URL=nats://127.0.0.1:4222 \
#     -e CHORUS_AUTH__SIGNING_KEYS="$(chorus keygen)" chorus --services all
#
# The runtime stage takes its files from PAYLOAD and its base from RUNTIME.
# By default those are the build stages below and distroless; the container
# test (scripts/container-test.sh) passes images it makes from what the host
# built, because no registry image can be pulled where it runs. Everything
# the runtime stage sets (layout, user, entrypoint, environment) is the same
# either way.
ARG RUNTIME=gcr.io/distroless/cc-debian12:nonroot
ARG PAYLOAD=payload

# --- the binaries, built with the `dist` profile (release, LTO, stripped) ---
FROM docker.io/library/rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --profile dist --locked -p chorus-nodes --bin chorus-node --bin chorus \
 && mkdir -p /out/usr/local/bin \
 && cp target/dist/chorus-node target/dist/chorus /out/usr/local/bin/

# --- the web player's static files ---
FROM docker.io/library/node:20-bookworm-slim AS web
WORKDIR /web
COPY examples/web/package.json examples/web/package-lock.json ./
RUN npm ci
COPY examples/web/ ./
RUN node build.mjs

# --- everything the runtime adds to its base, in its final place ---
FROM scratch AS payload
COPY --from=build /out/ /
COPY --from=web /web/dist/ /usr/share/chorus/web/

FROM ${PAYLOAD} AS files

# --- the runtime: glibc and nothing else (no shell), as a non-root user ---
FROM ${RUNTIME}
COPY --from=files /usr/local/bin/ /usr/local/bin/
COPY --from=files /usr/share/chorus/ /usr/share/chorus/
# distroless's `nonroot` user; the root filesystem can be read-only: views
# live in memory unless CHORUS_DATA_DIR names a mounted volume.
USER 65532:65532
WORKDIR /home/nonroot
# Probes and metrics: set CHORUS_HTTP_LISTEN=0.0.0.0:9090 (the chart does);
# the Subsonic gateway: [subsonic] listen = "0.0.0.0:4533".
# Nothing is set here with ENV: a variable wins over the TOML file, and an
# image default would silently override what an operator writes there.
EXPOSE 9090 4533
# PID 1 is the node itself: SIGTERM drains it (leave discovery, answer what
# it took, exit 0 within drain_timeout_ms).
ENTRYPOINT ["/usr/local/bin/chorus-node"]
CMD ["--services", "all"]
