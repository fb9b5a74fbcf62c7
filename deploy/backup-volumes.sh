#!/usr/bin/env bash
# Backs up the stack's named volumes, one tar.gz each, into a dated directory (default ./backups/<UTC time>).
# The whole stack is stopped for the copy, so the InfluxDB, MongoDB and SQLite files are consistent, and
# started again after: nothing is recorded meanwhile, so run it between runs.
# Usage: ./backup-volumes.sh [target-directory]
set -euo pipefail
cd "$(dirname "$0")"
project=trackerdcs   # the volumes' fixed names in docker-compose.yml: ${project}_<volume>
# Docker's compose plugin, or Debian 12's docker-compose (its docker.io has no plugin).
if docker compose version >/dev/null 2>&1; then compose() { docker compose "$@"; }; else compose() { docker-compose "$@"; }; fi
volumes=(trackerdcs-data influxdb-data grafana-data mongodb-data)
target=${1:-backups/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$target"
target=$(cd "$target" && pwd)

compose stop
trap 'compose start' EXIT
for volume in "${volumes[@]}"; do
    docker run --rm -v "${project}_${volume}:/volume:ro" -v "$target:/backup" alpine:3 \
        tar -czf "/backup/${volume}.tar.gz" -C /volume .
    echo "backed up ${project}_${volume} -> $target/${volume}.tar.gz"
done
