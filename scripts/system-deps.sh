#!/usr/bin/env bash
# System packages some tests need, installed when we can (root with apt-get):
#   chromium        the browser tests (Playwright drives Debian's Chromium)
#   docker-compose  validates docker-compose.yml (no Docker engine needed)
#   libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0, fonts-dejavu-core
#                   WeasyPrint's PDFs (invoices); harfbuzz-subset makes a one-page
#                   invoice ~120 ms instead of ~430 ms
# Without them the tests that need them are skipped, saying what is missing.
set -u
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_lib libpango-1.0.so.0 || missing+=(libpango-1.0-0)
has_lib libpangoft2-1.0.so.0 || missing+=(libpangoft2-1.0-0)
has_lib libharfbuzz-subset.so.0 || missing+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 \
         && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; then
    exit 0
  fi
fi
cat >&2 <<MSG
Missing system packages: ${missing[*]}
Install them with:   sudo apt-get install ${missing[*]}
(CHROMIUM_PATH may point at another Chromium binary.) Until then the tests that
need them are skipped and say so.
MSG
exit 0
