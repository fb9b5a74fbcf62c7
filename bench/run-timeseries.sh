#!/usr/bin/env bash
# Runs the time-series bench against a throw-away influxd (Debian's /usr/bin/influxd) on loopback.
# Usage: bench/run-timeseries.sh [messages] [--rounds N] [--in-flight N] [--gzip]   or   bench/run-timeseries.sh --memory <minutes> [--rate points/s]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/trackerdcs-bench-influxd-XXXX)
port=${INFLUX_PORT:-18086}
cat > "$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((port + 1))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$port"
  log-enabled = false
[monitor]
  store-enabled = false
CONF
influxd run -config "$dir/influxdb.conf" >"$dir/influxd.log" 2>&1 &
influxd=$!
trap 'kill $influxd; wait $influxd || true; rm -rf "$dir"' EXIT
until curl -sf "http://127.0.0.1:$port/ping" >/dev/null; do sleep 0.2; done
INFLUXD_PID=$influxd dotnet run -c Release --project "$root/bench/TrackerDcs.TimeSeriesBench" -- "http://127.0.0.1:$port" "$@"
