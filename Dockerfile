# syntax=docker/dockerfile:1
#
# zgate's container image: `zgate serve` on a distroless static base, as
# user 65532 (nonroot), with nothing to write outside /var/lib/zgate (the
# default SQLite store, when no PostgreSQL is given) and /tmp, so it runs
# with a read-only root file system. docs/deploy.md shows how to run it.
#
# The build stage runs on the builder's platform and cross-compiles, so a
# multi-platform build (--platform linux/amd64,linux/arm64) needs no
# emulation. The binary is built as the release binaries are (static,
# -trimpath); release.yml passes VERSION, REVISION and COMMIT_TIME.

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
ARG TARGETOS TARGETARCH
ARG VERSION="" REVISION="" COMMIT_TIME=""
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/zgate-dev/zgate/buildinfo.version=${VERSION} -X github.com/zgate-dev/zgate/buildinfo.revision=${REVISION} -X github.com/zgate-dev/zgate/buildinfo.commitTime=${COMMIT_TIME}" \
      -o /out/zgate ./cmd/zgate \
 && mkdir -p /out/var/lib/zgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/zgate /usr/local/bin/zgate
COPY --from=build --chown=65532:65532 /out/var/lib/zgate /var/lib/zgate
WORKDIR /var/lib/zgate
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/zgate", "serve"]
