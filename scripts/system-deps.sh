#!/bin/sh
# Debian packages the project needs beside Python: gettext (compiling the English translation),
# a CJK font (Chinese in PDFs and browser screenshots), the libraries WeasyPrint renders with, and —
# for the test suite — Chromium for the real-browser tests and poppler's pdftoppm (PDFs looked at as PNG);
# for the benchmarks, wrk. Installs only what is missing.
# Arguments: what the packages are for, one or more of run (the default), test, bench; `make test bench` passes both.
set -eu
[ "$#" -gt 0 ] || set -- run
wants=" $* "
missing=""
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$missing fonts-noto-cjk fontconfig"
[ -e /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libpango-1.0.so.0 ] \
    || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
case "$wants" in
    *" test "*)
        command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
        command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
        ;;
esac
case "$wants" in
    *" bench "*)
        # bench/portal_bench.py drives the served portal with wrk, the HTTP load generator.
        command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
        ;;
esac
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
