#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the real peers the tests talk to
# (Mosquitto and its clients, InfluxDB, pyepics/libca, socat, Chromium, docker-compose), builds, and tests.
set -euo pipefail
cd "$(dirname "$0")"

packages=(mosquitto mosquitto-clients influxdb python3-pyepics socat chromium sqlite3 curl openssl docker-compose)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The tests start their own brokers and databases on free ports; the distribution's services are not needed.
systemctl disable --now mosquitto influxdb >/dev/null 2>&1 || true

dotnet build TrackerDcs.sln -c Release --nologo -v q
dotnet test TrackerDcs.Tests -c Release --no-build --nologo --logger "console;verbosity=normal" "$@"
