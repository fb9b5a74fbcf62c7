#!/usr/bin/env bash
# Restores the named volumes from a directory written by backup-volumes.sh, replacing their contents.
# Only the volumes with an archive there are touched. On a new host run `docker compose up -d` first so the
# containers exist.   Usage: ./restore-volumes.sh <backup-directory>
set -euo pipefail
cd "$(dirname "$0")"
project=trackerdcs   # the volumes' fixed names in docker-compose.yml: ${project}_<volume>
# Docker's compose plugin, or Debian 12's docker-compose (its docker.io has no plugin).
if docker compose version >/dev/null 2>&1; then compose() { docker compose "$@"; }; else compose() { docker-compose "$@"; }; fi
volumes=(trackerdcs-data influxdb-data grafana-data mongodb-data)
source=${1:?usage: $0 <backup-directory>}
source=$(cd "$source" && pwd)

compose stop
trap 'compose start' EXIT
for volume in "${volumes[@]}"; do
    archive="$source/${volume}.tar.gz"
    [[ -f $archive ]] || { echo "no $archive: ${project}_${volume} left as it is"; continue; }
    docker volume create "${project}_${volume}" >/dev/null
    docker run --rm -v "${project}_${volume}:/volume" -v "$source:/backup:ro" alpine:3 \
        sh -c 'find /volume -mindepth 1 -delete && tar -xzf "/backup/$0.tar.gz" -C /volume' "$volume"
    echo "restored ${project}_${volume} from $archive"
done
