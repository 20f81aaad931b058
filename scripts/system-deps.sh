#!/usr/bin/env bash
# The Debian packages Kuaixun and its tests need beyond Python, installed only when missing.
#
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  WeasyPrint (the PDF issue): layout, font subsetting
#   fontconfig fonts-wqy-zenhei                            a CJK font found by family name, embedded in the PDF
#   poppler-utils                                          pdftoppm / pdffonts / pdftotext: the rendering checks
#   chromium                                               headless screenshots of the HTML email
#
# Idempotent: `dpkg -s` decides; apt runs only when something is missing. Root, or sudo when available.
set -euo pipefail

PACKAGES=(
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    fontconfig
    fonts-wqy-zenhei
    poppler-utils
    chromium
)

if ! command -v dpkg >/dev/null 2>&1; then
    echo "system-deps: not a Debian system (no dpkg); install the equivalents of: ${PACKAGES[*]}" >&2
    exit 0
fi

missing=()
for package in "${PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "system-deps: missing ${missing[*]}; run this script as root (no sudo here)" >&2
    exit 1
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
