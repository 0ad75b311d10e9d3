#!/bin/sh
# Debian packages the project needs beside Python: gettext (compiling the English translation),
# a CJK font (Chinese in PDFs and browser screenshots), the libraries WeasyPrint renders with, and —
# for the test suite — Chromium for the real-browser tests and poppler's pdftoppm (PDFs looked at as PNG). Installs only what is missing.
set -eu
want="${1:-run}"
missing=""
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$missing fonts-noto-cjk fontconfig"
[ -e /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libpango-1.0.so.0 ] \
    || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
if [ "$want" = "test" ]; then
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
fi
if [ "$want" = "bench" ]; then
    # bench/portal_bench.py drives the served portal with wrk, the HTTP load generator.
    command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
fi
[ -z "$missing" ] && exit 0
echo "installing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "not root: run  sudo apt-get install -y$missing  and try again" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
