#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the real peers the tests talk to
# (Mosquitto and its clients, InfluxDB, pyepics/libca, socat, Chromium, docker-compose), builds, and tests.
set -euo pipefail
cd "$(dirname "$0")"

# pymodbus imports pyserial and serial-asyncio even for TCP, but Debian only recommends them.
packages=(mosquitto mosquitto-clients influxdb python3-pyepics socat chromium sqlite3 curl openssl docker-compose
  python3-pymodbus python3-serial python3-serial-asyncio mbpoll rabbitmq-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm, for Node-RED in the migration guide's test (installed from npm below). Asked for by command, not
# by package: a machine with NodeSource's nodejs has npm inside it, and Debian's npm package would conflict.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The tests start their own brokers and databases on free ports; the distribution's services are not needed.
systemctl disable --now mosquitto influxdb rabbitmq-server >/dev/null 2>&1 || true
# Node-RED 4 from npm, once into a cache directory kept across runs (about a minute the first time, nothing after).
scripts/install-node-red.sh >/dev/null

dotnet build TrackerDcs.sln -c Release --nologo -v q
# The trx report is read back on failure so that the end of the log names every failed test and its
# message; CI shows only the tail of a long run.
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test TrackerDcs.Tests -c Release --no-build --nologo --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@" || status=$?
if [ "$status" -ne 0 ] && [ -f "$results/tests.trx" ]; then
  python3 - "$results/tests.trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
failed = [r for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns) if r.get("outcome") == "Failed"]
print(f"\n==== {len(failed)} failed test(s) ====")
for r in failed:
    message = r.findtext(".//t:Message", default="", namespaces=ns).strip()
    stack = r.findtext(".//t:StackTrace", default="", namespaces=ns).strip().splitlines()
    print(f"\n{r.get('testName')} ({r.get('duration')})\n{message}\n" + "\n".join(stack[:8]))
PY
fi
exit "$status"
