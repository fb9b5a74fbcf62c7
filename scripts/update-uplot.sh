#!/usr/bin/env bash
# Bundles uPlot (the panel's trend charts) into TrackerDcs.Web/wwwroot/lib/uplot from the npm registry, so the
# panel needs no CDN: labs are often offline. Usage: scripts/update-uplot.sh [version]   (default: the latest)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${1:-$(npm view uplot version)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "uplot@$version" >/dev/null && tar -xzf uplot-*.tgz)
target="$root/TrackerDcs.Web/wwwroot/lib/uplot"
rm -rf "$target"
mkdir -p "$target"
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" "$work/package/LICENSE" "$target/"
echo "$version" > "$target/VERSION"
echo "uPlot $version in ${target#"$root"/}"
