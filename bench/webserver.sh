#!/usr/bin/env bash
# The chisel and filter benches on a real capture of the seed scenario at scale: Apache with PHP on
# 127.0.0.1, `ab` posting a login form REQUESTS times over 4 connections at a time, recorded system-wide
# by tdig-capture. Then bench/chisels.sh and bench/filter.sh run on that capture (ratio tdig / sysdig;
# below 1 means tdig is faster).
#   bench/webserver.sh [REQUESTS]     (default 20000: ~1.9M events, ~110 MB)
# Needs root, eBPF, the built addon (npm run build:native), sysdig, apache2, libapache2-mod-php and
# apache2-utils (ab). KEEP=FILE keeps the capture in FILE.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
REQ=${1:-20000}
for c in sysdig apache2 ab; do
  command -v "$c" >/dev/null || { echo "bench/webserver.sh: needs $c (apt-get install -y sysdig apache2 libapache2-mod-php apache2-utils)" >&2; exit 2; }
done
MODS=/usr/lib/apache2/modules
PHP=$(ls "$MODS"/libphp*.so 2>/dev/null | head -1)
[ -n "$PHP" ] || { echo "bench/webserver.sh: needs mod_php (apt-get install -y libapache2-mod-php)" >&2; exit 2; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true

TMP=$(mktemp -d /tmp/tdig-web.XXXXXX)
chmod 755 "$TMP"
cleanup() {
  [ -f "$TMP/apache2.pid" ] && kill "$(cat "$TMP/apache2.pid")" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -m 755 "$TMP/www"
cat > "$TMP/www/login.php" <<'PHP'
<?php
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  echo "welcome " . htmlspecialchars($_POST['login'] ?? '') . "\n";
} else {
  readfile(__DIR__ . '/form.html');
}
PHP
printf '<html><body>\n<form method="post" action="/login.php">\n<input name="login"> <input name="pass" type="password">\n</form>\n</body></html>\n' > "$TMP/www/form.html"
chmod 644 "$TMP/www/"*
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat > "$TMP/apache2.conf" <<EOF
ServerRoot $TMP
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $TMP/apache2.pid
DefaultRuntimeDir $TMP
Mutex file:$TMP default
ErrorLog $TMP/error.log
LoadModule mpm_prefork_module $MODS/mod_mpm_prefork.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule php_module $PHP
User www-data
Group www-data
StartServers 4
MinSpareServers 4
MaxSpareServers 8
MaxRequestWorkers 8
KeepAlive Off
TypesConfig /etc/mime.types
DocumentRoot $TMP/www
DirectoryIndex login.php
<Directory $TMP/www>
  Require all granted
</Directory>
<FilesMatch "\.php$">
  SetHandler application/x-httpd-php
</FilesMatch>
EOF
apache2 -f "$TMP/apache2.conf" -k start
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
printf 'login=alice&pass=s3cret' > "$TMP/body"
ab -q -n 200 -c 4 -p "$TMP/body" -T application/x-www-form-urlencoded "http://127.0.0.1:$PORT/login.php" >/dev/null

CAPF=${KEEP:-$TMP/web.scap}
bin/tdig-capture.js -w "$CAPF" --stats 2>"$TMP/cap.err" &
cpid=$!
while [ ! -s "$CAPF" ]; do
  kill -0 $cpid 2>/dev/null || { echo "tdig-capture failed:" >&2; cat "$TMP/cap.err" >&2; exit 1; }
  sleep 0.1
done
sleep 0.5
ab -q -n "$REQ" -c 4 -p "$TMP/body" -T application/x-www-form-urlencoded "http://127.0.0.1:$PORT/login.php" | grep -E '^(Complete|Failed) requests'
sleep 0.3
kill -INT $cpid
wait $cpid || true
kill "$(cat "$TMP/apache2.pid")" 2>/dev/null || true
echo "$(sed 's/^tdig-capture: //' "$TMP/cap.err")"
echo
CAP="$CAPF" bench/chisels.sh
echo
BIG="$CAPF" bench/filter.sh
