#!/usr/bin/env bash
# release/prepare.sh vX.Y.Z makes the release commit and tag: it builds the
# release binaries with GoReleaser (.goreleaser.yaml, the same build
# release.yml runs on the tag), writes their checksums to
# action/checksums.txt, commits that file alone on a detached HEAD and tags
# it. The Action, run from that tag, downloads the release's binary and
# checks it against this committed file (action/install.sh).
#
# The release commit stays off main: on main, action/checksums.txt would
# make later commits run an older release's binary. Push the tag only:
#   git push origin vX.Y.Z
# release.yml then rebuilds, refuses to publish unless its checksums equal
# the committed ones, attests provenance and publishes.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-}"
if ! [[ "$tag" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
	echo "usage: release/prepare.sh vX.Y.Z" >&2
	exit 2
fi
if [ -n "$(git status --porcelain)" ]; then
	echo "release/prepare.sh: the work tree is not clean" >&2
	exit 1
fi
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
	echo "release/prepare.sh: tag $tag exists" >&2
	exit 1
fi
GORELEASER="${GORELEASER:-go run github.com/goreleaser/goreleaser/v2@v2.15.1}"
eval "$(release/env.sh | sed 's/^/export /')"
# validate is skipped: HEAD is not tagged yet (GORELEASER_CURRENT_TAG says
# which tag it will be).
GORELEASER_CURRENT_TAG="$tag" $GORELEASER release --clean --skip=validate,publish,announce
mkdir -p action
cp dist/checksums.txt action/checksums.txt
git checkout -q --detach
git add action/checksums.txt
git commit -q -m "release $tag" -m "Checksums of the release binaries, for the Action (action/install.sh)."
git tag -a "$tag" -m "zgate $tag"
git checkout -q -
echo "Tagged $tag on $(git rev-parse "$tag^{commit}"); push it with: git push origin $tag"
