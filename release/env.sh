#!/usr/bin/env bash
# release/env.sh prints the variables .goreleaser.yaml links into the
# binaries, as KEY=value lines (for $GITHUB_ENV or eval):
#   ZGATE_SOURCE_REVISION  the last commit that changed anything but
#                          action/checksums.txt: the source commit, the
#                          same before and after the release commit
#   ZGATE_SOURCE_TIME      its commit time, UTC, RFC 3339
#   ZGATE_SOURCE_EPOCH     the same in Unix seconds (file mtimes)
# Needs the history back to that commit (actions/checkout fetch-depth: 0).
set -euo pipefail
rev="$(git rev-list -1 HEAD -- . ':(exclude)action/checksums.txt')"
if [ -z "$rev" ]; then
	echo "release/env.sh: no source commit found (shallow clone?)" >&2
	exit 1
fi
echo "ZGATE_SOURCE_REVISION=$rev"
echo "ZGATE_SOURCE_TIME=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ "$rev")"
echo "ZGATE_SOURCE_EPOCH=$(git log -1 --format=%ct "$rev")"
