#!/bin/sh
# render_html.sh PAGE.html OUT.pdf OUT.png: a page as a person sees it,
# rendered by headless Chromium to PDF (A4, as printed) and to a PNG
# screenshot, each from a new empty profile, with every network service of
# the browser off (the page must need none).  Used by tests/test_render.c
# and `make docs`.
set -eu
page=$(realpath "$1")
pdf=$2
png=$3
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
render() {
    rm -rf "$profile" && mkdir "$profile"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" "file://$page" > "$profile.log" 2>&1 \
        || { cat "$profile.log" >&2; rm -f "$profile.log"; exit 1; }
    rm -f "$profile.log"
}
render --no-pdf-header-footer --print-to-pdf="$pdf"
render --window-size=1000,1400 --screenshot="$png"
test -s "$pdf" && test -s "$png"
