#!/usr/bin/env bash
# Installs the Debian packages Lägesbild needs, only those that are missing.
#   .ci/deps.sh          database server (PostgreSQL 15 + PostGIS 3)
#   .ci/deps.sh test     also what the test suite uses (GDAL's ogrinfo as a real OGC API and MVT client,
#                        Debian's Chromium for the browser tests, Node.js/npm for the page build and axe-core,
#                        OWSLib as the Python client partners script with, poppler-utils's pdftotext to read
#                        the printed report back, nginx as the reverse proxy in front of two server processes)
#   .ci/deps.sh bench    also wrk for the HTTP benchmarks
set -euo pipefail

pkgs=(postgresql-15 postgresql-15-postgis-3)
case "${1:-}" in
  test)  pkgs+=(gdal-bin chromium fonts-dejavu-core python3-owslib poppler-utils nginx) ;;
  bench) pkgs+=(wrk nginx) ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# The Debian postgresql package creates and starts a default cluster on 5432; we use our own.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
