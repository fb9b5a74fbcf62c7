#!/usr/bin/env bash
# Runs the time-series bench against a throw-away influxd (Debian's /usr/bin/influxd) on loopback.
# Usage: bench/run-timeseries.sh [messages] [--rounds N] [--warm-up N] [--warm-up-points N] [--in-flight N] [--gzip] [--separate-cores]
#    or  bench/run-timeseries.sh --memory <minutes> [--rate points/s]
# --separate-cores pins influxd to the last CPU and the bench (the writer) to the others, so that the writer's CPU
# does not come out of influxd's: what the writer costs shows as its own rate, not as influxd's lost share.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/trackerdcs-bench-influxd-XXXX)
port=${INFLUX_PORT:-18086}
influxd_cpus=() bench_cpus=() args=()
for a in "$@"; do
  if [ "$a" = --separate-cores ]; then
    last=$(($(nproc) - 1))
    [ "$last" -ge 1 ] || { echo "--separate-cores needs at least 2 CPUs" >&2; exit 2; }
    influxd_cpus=(taskset -c "$last") bench_cpus=(taskset -c "0-$((last - 1))")
  else
    args+=("$a")
  fi
done
# The tests' influxd configuration (TrackerDcs.Testing/influxdb.conf), filled in as InfluxServer fills it.
sed -e "s|@DIR@|$dir|g" -e "s|@RPC_PORT@|$((port + 1))|g" -e "s|@HTTP_PORT@|$port|g" -e "s|@AUTH_ENABLED@|false|g" \
  "$root/TrackerDcs.Testing/influxdb.conf" > "$dir/influxdb.conf"
"${influxd_cpus[@]}" influxd run -config "$dir/influxdb.conf" >"$dir/influxd.log" 2>&1 &
influxd=$!
trap 'kill $influxd; wait $influxd || true; rm -rf "$dir"' EXIT
until curl -sf "http://127.0.0.1:$port/ping" >/dev/null; do sleep 0.2; done
dotnet build -c Release -v q --nologo "$root/bench/TrackerDcs.TimeSeriesBench" >/dev/null
INFLUXD_PID=$influxd "${bench_cpus[@]}" dotnet "$root/bench/TrackerDcs.TimeSeriesBench/bin/Release/net10.0/TrackerDcs.TimeSeriesBench.dll" "http://127.0.0.1:$port" "${args[@]}"
