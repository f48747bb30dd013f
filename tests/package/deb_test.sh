#!/usr/bin/env bash
# Builds the .deb, checks it with lintian, installs it with dpkg on this machine, runs the
# installed traild on its installed configuration as the traild user, sends an event with
# the installed trailctl, verifies the trail, then removes and purges the package.
#   deb_test.sh BUILD_DIR        (ctest runs it; exit 77 = skipped)
set -euo pipefail
build="$1"
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to install a package"
command -v dpkg >/dev/null || skip "not a Debian system"
if dpkg-query -W -f='${Status}' traild 2>/dev/null | grep -q "install ok installed"; then
  skip "a traild package is installed here already; not touching it"
fi

work="$(mktemp -d /tmp/traild-deb-XXXXXX)"
pid=""
made_policy=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  dpkg -P traild >/dev/null 2>&1 || true
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  rm -rf "$work" /var/log/traild /var/lib/traild /run/traild
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$work" >/dev/null
deb="$(ls "$work"/traild_*.deb)"

# Every lintian finding is fixed; a new one fails here (the list it prints says which).
if command -v lintian >/dev/null; then
  findings="$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -E '^[EW]: ' || true)"
  [ -z "$findings" ] || fail "lintian: $findings"
fi

# Maintainer scripts must not start anything when policy-rc.d forbids it.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
fi
dpkg -i "$deb" > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
pgrep -f '^/usr/sbin/traild' >/dev/null && fail "the package started traild although policy-rc.d forbids it"

for f in /usr/sbin/traild /usr/bin/trailctl /etc/traild/traild.yaml /lib/systemd/system/traild.service \
         /lib/systemd/system/traild.socket /usr/lib/sysusers.d/traild.conf /usr/lib/tmpfiles.d/traild.conf \
         /usr/lib/sysctl.d/60-traild.conf /usr/share/traild/logstash/traild.conf /usr/share/doc/traild/copyright; do
  [ -e "$f" ] || fail "$f is not installed"
done
dpkg-query -W -f='${Conffiles}' traild | grep -q /etc/traild/traild.yaml || fail "traild.yaml is not a conffile"
for page in traild.8 trailctl.1 traild.yaml.5; do
  [ -e "/usr/share/man/man${page##*.}/$page.gz" ] || fail "man page $page missing"
done
getent passwd traild >/dev/null || fail "no traild user"
[ "$(stat -c '%U %a' /var/log/traild)" = "traild 750" ] || fail "/var/log/traild: $(stat -c '%U %a' /var/log/traild)"
/usr/sbin/traild --check-config --config /etc/traild/traild.yaml || fail "the installed configuration does not check"

# The installed traild on the installed configuration. systemd would make /run/traild for
# traild.socket; by hand, the test does.
install -d -m 0755 -o traild -g traild /run/traild
setpriv --reuid=traild --regid=traild --init-groups /usr/sbin/traild --config /etc/traild/traild.yaml 2> "$work/traild.log" &
pid=$!
for _ in $(seq 1 400); do [ -S /run/traild/traild.sock ] && break; sleep 0.05; done
[ -S /run/traild/traild.sock ] || { cat "$work/traild.log"; fail "traild from the package did not start"; }
echo '{"event":{"action":"installed-package-test"},"user":{"name":"dpkg"}}' > "$work/event.ndjson"
/usr/bin/trailctl send --socket /run/traild/traild.sock "$work/event.ndjson" || fail "trailctl send"
kill "$pid"
wait "$pid" || fail "traild did not stop cleanly: $(cat "$work/traild.log")"
pid=""
grep -q '"installed-package-test"' /var/log/traild/audit-*.jsonl || fail "the event is not in /var/log/traild"
[ "$(stat -c '%U' /var/log/traild/audit-*.jsonl | sort -u)" = traild ] || fail "trail files not owned by traild"
/usr/bin/trailctl verify /var/log/traild || fail "trailctl verify"

dpkg -r traild >/dev/null || fail "dpkg -r"
[ ! -e /usr/sbin/traild ] || fail "traild still installed after dpkg -r"
[ -e /etc/traild/traild.yaml ] || fail "dpkg -r removed the conffile"
dpkg -P traild >/dev/null || fail "dpkg -P"
[ ! -e /etc/traild/traild.yaml ] || fail "dpkg -P left the conffile"
[ -n "$(ls /var/log/traild/audit-*.jsonl)" ] || fail "purging removed the audit trail"
echo "PASS: built, lintian-clean, installed, ran, verified, removed and purged"
