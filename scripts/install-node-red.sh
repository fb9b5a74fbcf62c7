#!/usr/bin/env bash
# Installs Node-RED 4 from npm, once, into a cache directory kept across runs, and prints the path of its
# node-red command. The migration guide's Node-RED test (TrackerDcs.Tests/Migration) drives that Node-RED;
# run-tests.sh calls this before the tests, and the test calls it too when run on its own.
# TRACKERDCS_NODE_RED_DIR moves the cache (default ~/.cache/trackerdcs/node-red-4).
set -euo pipefail
dir="${TRACKERDCS_NODE_RED_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trackerdcs/node-red-4}"
bin="$dir/node_modules/.bin/node-red"
mkdir -p "$dir"
# One install at a time (run-tests.sh and a test run started beside it).
exec 9>"$dir/.install.lock"
flock 9
if [ ! -x "$bin" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --no-update-notifier --loglevel=error node-red@4 >&2
fi
echo "$bin"
