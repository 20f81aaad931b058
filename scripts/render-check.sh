#!/usr/bin/env bash
# Eye-equivalent check of the 快讯 rendering: turn an issue into PNGs a person (or a reviewer's
# image viewer) can look at, since "renders like the seeds" is judged by eye, not by a parser.
#
#   scripts/render-check.sh [--demo] [STEM]
#
#   STEM     an issue's path without suffix (out/kuaixun-2019-1102); default: the latest issue in out/
#   --demo   run `kuaixun demo` first and check its latest issue, in demo/out/ (done anyway when
#            out/ holds no issue)
#
# Writes to OUT/render-check/ (OUT: out/, or demo/out/ after a demo):
#   STEM-page-N.png    every PDF page at 60 dpi (pdftoppm): cover, 目 录 page numbers, footer, CJK glyphs
#   STEM-phone.png     the HTML email in headless chromium, 420 px wide
#   STEM-desktop.png   the same, 1000 px wide
# and prints `pdffonts` (the CJK font must say emb=yes). Needs scripts/system-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=out
KUAIXUN=.venv/bin/kuaixun

run_demo=no
stem=""
for arg in "$@"; do
    case "$arg" in
        --demo) run_demo=yes ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) stem="${arg%.*}" ;;
    esac
done

for tool in pdftoppm pdffonts chromium; do
    command -v "$tool" >/dev/null || { echo "render-check: $tool missing; run scripts/system-deps.sh" >&2; exit 1; }
done

latest_issue() {
    find "$OUT" -maxdepth 1 -name 'kuaixun-*.pdf' | sort | tail -n 1
}

if [ -z "$stem" ]; then
    if [ "$run_demo" = yes ] || [ -z "$(latest_issue 2>/dev/null)" ]; then
        "$KUAIXUN" demo --workdir demo >/dev/null
        OUT=demo/out
    fi
    stem="$(latest_issue)"
    stem="${stem%.pdf}"
fi
[ -f "$stem.pdf" ] && [ -f "$stem.html" ] || { echo "render-check: no $stem.pdf / $stem.html" >&2; exit 1; }

name="$(basename "$stem")"
CHECK="$(dirname "$stem")/render-check"
mkdir -p "$CHECK"
rm -f "$CHECK/$name"-*.png

pdftoppm -r 60 -png "$stem.pdf" "$CHECK/$name-page"

screenshot() {  # screenshot WIDTH FILE: the HTML email as a mail client of that width would show it
    local profile
    profile="$(mktemp -d)"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars \
        --screenshot="$2" --window-size="$1,2000" "file://$(realpath "$stem.html")" >/dev/null 2>&1
    rm -rf "$profile"
}
screenshot 420 "$CHECK/$name-phone.png"
screenshot 1000 "$CHECK/$name-desktop.png"

pdffonts "$stem.pdf"
echo "render-check: $(find "$CHECK" -name "$name-*.png" | wc -l) PNGs of $name in $CHECK/"
