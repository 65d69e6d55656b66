#!/usr/bin/env bash
# Builds mosquitto 2.0.21 from Debian 13 (trixie)'s source package on Debian 12, once, into a cache
# outside git ($FIDELITY_CACHE, default ~/.cache/wirelab-fidelity). Debian 12's mosquitto 2.0.11 does
# not hold outgoing QoS 1/2 to max_inflight_messages (upstream issue #2306, fixed in 2.0.13), so the
# QoS 1 dashboard case needs a current broker. The trixie deb-src line is added only for the
# `apt-get source` call and removed again (trap), so the machine's apt sources are left as found.
set -euo pipefail
# v2: with the WebSocket listener (MQTT over WebSocket; Debian 12's 2.0.11 is built without it).
cache="${FIDELITY_CACHE:-$HOME/.cache/wirelab-fidelity}/v2"
bin="$cache/mosquitto-2.0.21/sbin/mosquitto"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
mkdir -p "$cache"
export DEBIAN_FRONTEND=noninteractive
list=/etc/apt/sources.list.d/wirelab-trixie-src.list
cleanup() {
  rm -f "$list"
  apt-get update -qq >/dev/null 2>&1 || true   # forget trixie's source index again
}
trap cleanup EXIT
need=()
for p in cmake libssl-dev libcjson-dev libwebsockets-dev dpkg-dev build-essential; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
echo "deb-src http://deb.debian.org/debian trixie main" > "$list"
apt-get update -qq >&2
[ ${#need[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
src="$cache/src"
rm -rf "$src" && mkdir -p "$src"
( cd "$src" && apt-get source -qq --download-only mosquitto=2.0.21-1 >&2 && dpkg-source -x --no-check mosquitto_2.0.21-1.dsc mosquitto >&2 )
rm -f "$list"; trap - EXIT; cleanup
mkdir -p "$src/mosquitto/build"
( cd "$src/mosquitto/build" \
  && cmake .. -DDOCUMENTATION=OFF -DWITH_CJSON=ON -DWITH_WEBSOCKETS=ON -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_INSTALL_PREFIX="$cache/mosquitto-2.0.21" >&2 \
  && make -j2 >&2 && make install >&2 )
# `mosquitto -h` exits with 3 after printing its version: under pipefail that must not fail the build.
"$bin" -h 2>&1 | head -1 >&2 || true
echo "$bin"
