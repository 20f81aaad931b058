#!/usr/bin/env bash
# The Debian packages Kuaixun and its tests need beyond Python, installed only when missing.
#
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  WeasyPrint (the PDF issue): layout, font subsetting
#   fonts-wqy-microhei                                     WenQuanYi Micro Hei: the PDF's font (ReportLab embeds
#                                                          TrueType outlines only, and subsets them itself)
#   fontconfig fonts-noto-cjk                              Noto Sans CJK SC, for the WeasyPrint PDF (digest.pdf_engine,
#                                                          and characters WenQuanYi lacks), found by family name
#                                                          (CFF outlines: Debian 12's HarfBuzz cannot subset the
#                                                          TrueType WenQuanYi fonts past ~970 glyphs and would embed
#                                                          all 16 MB of them)
#   tini                                                   the image's PID 1: forwards SIGTERM to kuaixun, reaps the
#                                                          crawl child (scripts/container-check.sh runs it here too)
#   poppler-utils                                          pdftoppm / pdffonts / pdftotext: the rendering checks
#   chromium                                               headless screenshots of the HTML email; the crawl's
#                                                          browser fetch (crawl.browser, sources' render: browser),
#                                                          started as /usr/bin/chromium: no browser is downloaded
#
# Idempotent: `dpkg -s` decides; apt runs only when something is missing. Root, or sudo when available.
# `--runtime` installs only what the product itself needs (the PDF: pango and the font; tini), e.g. in an image;
# `--browser` adds chromium to that, for an image whose config uses the browser fetch.
set -euo pipefail

RUNTIME=(
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    fontconfig
    fonts-wqy-microhei
    fonts-noto-cjk
    tini
)
CHECKS=(
    poppler-utils
    chromium
)
PACKAGES=("${RUNTIME[@]}" "${CHECKS[@]}")
if [ "${1:-}" = "--runtime" ]; then
    PACKAGES=("${RUNTIME[@]}")
elif [ "${1:-}" = "--browser" ]; then
    PACKAGES=("${RUNTIME[@]}" chromium)
fi

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
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
