#!/usr/bin/env bash
# Renders the local service's VERIFY screenshots with headless Chromium: every page
# here (*.html) on every device below, as <page>-<device>.png beside this script.
#
#   bash render.sh [OUTPUT_DIR [PAGE...]]   # default: this folder, every page
#
# Needs Debian's chromium (apt-get install chromium). Runs as root too: --no-sandbox.
# The local service serves these files as they are (one size per device); re-render
# only when a page changes, and commit the PNGs with it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
shift || true
pages=("$@")
if [ ${#pages[@]} -eq 0 ]; then
  for page in "$here"/*.html; do pages+=("$(basename "$page" .html)"); done
fi
mkdir -p "$out"
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "render.sh: chromium is not on PATH (apt-get install chromium)" >&2
  exit 1
fi

# device name, then its viewport (CSS pixels, device scale factor 1): a laptop, and
# the viewports of an iPhone 14 and a Pixel 7.
devices=(
  "desktop 1280,800"
  "iphone-14 390,844"
  "pixel-7 412,915"
)

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for name in "${pages[@]}"; do
  page="$here/$name.html"
  [ -f "$page" ] || { echo "render.sh: no page $page" >&2; exit 1; }
  for device in "${devices[@]}"; do
    read -r device_name size <<<"$device"
    # A fresh profile for each render: nothing cached or remembered between pages.
    rm -rf "$profile"/*
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --hide-scrollbars --user-data-dir="$profile" \
      --screenshot="$out/$name-$device_name.png" --window-size="$size" \
      "file://$page" >/dev/null 2>&1
    echo "$out/$name-$device_name.png"
  done
done
