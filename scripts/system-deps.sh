#!/usr/bin/env bash
# System packages the browser tests (and PDF rendering) need, installed when we can.
set -u
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get (browser tests need it)..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    exit 0
  fi
fi
cat >&2 <<MSG
Browser tests need Chromium at $CHROMIUM and it is not installed.
Install it with:   sudo apt-get install chromium
(or point CHROMIUM_PATH at a Chromium binary). Until then the browser tests are skipped.
MSG
exit 0
