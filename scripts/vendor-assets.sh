#!/bin/sh
# Copy the front-end files the pages use from node_modules (installed from the npm registry by
# `npm ci`) into the static folder the server serves: no CDN, the system runs on an intranet.
set -eu
dest=shuangsuiji/static/vendor
rm -rf "$dest" && mkdir -p "$dest/fonts"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$dest/fonts/"
