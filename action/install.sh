#!/usr/bin/env bash
# install.sh puts the zgate binary the Action runs in place, without
# compiling zgate on every run.
#
#   install.sh release   when the action runs from a release commit (one
#                        holding action/checksums.txt, written by
#                        release/prepare.sh), download this runner's binary
#                        of that release through GitHub's release API and
#                        check it against the committed checksum. Prints
#                        installed=true|false to $GITHUB_OUTPUT; a binary
#                        whose checksum differs is refused (exit 1), never
#                        run. A release that cannot be fetched (no jq,
#                        GHES without the release, a network error) leaves
#                        installed=false: the source build follows.
#   install.sh build     build zgate from the action's source, with
#                        GOMODCACHE and GOCACHE under ZGATE_CACHE_DIR (that
#                        actions/cache restores and saves).
#   install.sh platform  print the release asset suffix of this runner
#                        ("linux_amd64"), or nothing when none is released.
#
# Environment: ZGATE_ACTION_PATH (the action's checkout), ZGATE_ACTION_REPOSITORY
# (owner/name the releases live in), ZGATE_RELEASE_API_URL (REST root),
# ZGATE_RELEASE_TOKEN (optional), ZGATE_BIN_DIR (where the binary goes),
# ZGATE_CACHE_DIR (build caches), RUNNER_OS, RUNNER_ARCH, GITHUB_OUTPUT.
set -euo pipefail

log() { echo "zgate install: $*" >&2; }

output() {
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		echo "$1" >>"$GITHUB_OUTPUT"
	fi
	echo "$1"
}

# platform maps the runner to GOOS_GOARCH; empty for a runner no release
# binary is built for.
platform() {
	local os arch
	case "${RUNNER_OS:-}" in
	Linux) os=linux ;;
	macOS) os=darwin ;;
	Windows) os=windows ;;
	*) return 0 ;;
	esac
	case "${RUNNER_ARCH:-}" in
	X64) arch=amd64 ;;
	ARM64) arch=arm64 ;;
	*) return 0 ;;
	esac
	case "${os}_${arch}" in
	linux_amd64 | linux_arm64 | darwin_arm64 | windows_amd64) echo "${os}_${arch}" ;;
	esac
}

exe() { if [ "${RUNNER_OS:-}" = Windows ]; then echo .exe; fi; }

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

bin_path() { echo "${ZGATE_BIN_DIR:?ZGATE_BIN_DIR is required}/zgate$(exe)"; }

release() {
	local sums="${ZGATE_ACTION_PATH:?ZGATE_ACTION_PATH is required}/action/checksums.txt"
	local plat line want asset version tag
	if [ ! -f "$sums" ]; then
		log "not a release commit (no action/checksums.txt): building from source"
		output installed=false
		return 0
	fi
	plat="$(platform)"
	if [ -z "$plat" ]; then
		log "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: building from source"
		output installed=false
		return 0
	fi
	# "<sha256>  zgate_<version>_<os>_<arch>[.exe]", as GoReleaser writes it.
	line="$(grep -E "^[0-9a-f]{64}  zgate_[^_ ]+_${plat}$(exe)\$" "$sums" || true)"
	if [ "$(printf '%s' "$line" | grep -c .)" != 1 ]; then
		log "action/checksums.txt has no single line for ${plat}: building from source"
		output installed=false
		return 0
	fi
	want="${line%%  *}"
	asset="${line#*  }"
	version="${asset#zgate_}"
	version="${version%%_*}"
	tag="v${version}"
	if ! command -v jq >/dev/null 2>&1; then
		log "jq is not installed: building from source"
		output installed=false
		return 0
	fi
	local api="${ZGATE_RELEASE_API_URL:-https://api.github.com}"
	api="${api%/}"
	local repo="${ZGATE_ACTION_REPOSITORY:?ZGATE_ACTION_REPOSITORY is required}"
	local auth=()
	if [ -n "${ZGATE_RELEASE_TOKEN:-}" ]; then
		auth=(-H "Authorization: Bearer ${ZGATE_RELEASE_TOKEN}")
	fi
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	if ! curl -fsS --retry 3 --max-time 60 ${auth[@]+"${auth[@]}"} -H "Accept: application/vnd.github+json" \
		-o "$tmp/release.json" "$api/repos/$repo/releases/tags/$tag"; then
		log "cannot read release $tag of $repo: building from source"
		output installed=false
		return 0
	fi
	local url
	url="$(jq -r --arg n "$asset" '[.assets[] | select(.name == $n) | .url] | if length == 1 then .[0] else "" end' "$tmp/release.json")"
	if [ -z "$url" ]; then
		log "release $tag of $repo has no asset $asset: building from source"
		output installed=false
		return 0
	fi
	# The API answers 302 to the asset's storage; curl follows it and, on
	# another host, drops the Authorization header.
	if ! curl -fsSL --retry 3 --max-time 300 ${auth[@]+"${auth[@]}"} -H "Accept: application/octet-stream" \
		-o "$tmp/zgate" "$url"; then
		log "cannot download $asset of release $tag: building from source"
		output installed=false
		return 0
	fi
	local got
	got="$(sha256 "$tmp/zgate")"
	if [ "$got" != "$want" ]; then
		log "REFUSED: $asset of release $tag has sha256 $got, but action/checksums.txt at this ref says $want"
		exit 1
	fi
	local dest
	dest="$(bin_path)"
	mkdir -p "$(dirname "$dest")"
	chmod +x "$tmp/zgate"
	mv "$tmp/zgate" "$dest"
	log "installed $asset of release $tag (sha256 $got)"
	output installed=true
	output "path=$dest"
}

build() {
	local dest
	dest="$(bin_path)"
	if [ -n "${ZGATE_CACHE_DIR:-}" ]; then
		export GOMODCACHE="$ZGATE_CACHE_DIR/mod" GOCACHE="$ZGATE_CACHE_DIR/build"
	fi
	mkdir -p "$(dirname "$dest")"
	(cd "${ZGATE_ACTION_PATH:?ZGATE_ACTION_PATH is required}" && CGO_ENABLED=0 go build -trimpath -o "$dest" ./cmd/zgate)
	log "built zgate from source"
	output "path=$dest"
}

case "${1:-}" in
release) release ;;
build) build ;;
platform) platform ;;
*)
	echo "usage: install.sh release|build|platform" >&2
	exit 2
	;;
esac
