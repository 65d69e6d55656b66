#!/usr/bin/env bash
# `npm run fidelity [-- --full] [-- --runs N] [-- --only TEXT] [-- --write] [-- --sim-only]`: the real-stack testbed.
# Needs root (network namespaces, TUN). Installs what it needs from Debian as .ci/run does, builds
# the link forwarder and mosquitto 2.0.21 once into a cache outside git, then runs fidelity/main.ts.
# The trap stops anything left in this run's namespaces (by pid) and deletes the namespaces, even
# when the run fails or is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
# --sim-only re-runs the simulated column of the last report: no testbed, no root, nothing to build.
for a in "$@"; do
  [ "$a" = --sim-only ] && exec node --disable-warning=ExperimentalWarning --import tsx fidelity/main.ts "$@"
done
[ "$(id -u)" -eq 0 ] || { echo "fidelity: needs root (network namespaces and TUN devices)" >&2; exit 1; }
[ -c /dev/net/tun ] || { echo "fidelity: /dev/net/tun is missing" >&2; exit 1; }

need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v nstat >/dev/null 2>&1 || need+=(iproute2)
# sysctl (congestion control per namespace) and pgrep (the trap below) are procps, not in a minimal Debian.
{ command -v sysctl && command -v pgrep; } >/dev/null 2>&1 || need+=(procps)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "fidelity: installing ${need[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cache="${FIDELITY_CACHE:-$HOME/.cache/wirelab-fidelity}"
mkdir -p "$cache"
fwd="$cache/fwd"
if [ ! -x "$fwd" ] || [ fidelity/link/fwd.c -nt "$fwd" ]; then cc -O2 -Wall -o "$fwd" fidelity/link/fwd.c; fi
if ! mosq21="$(FIDELITY_CACHE="$cache" fidelity/build-mosquitto.sh)"; then
  echo "fidelity: could not build mosquitto 2.0.21 from Debian 13's source; the 2.0.21 cases use Debian's 2.0.11 (see docs/FIDELITY.md)" >&2
  mosq21="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
fi
work="$(mktemp -d /tmp/wirelab-fidelity.XXXXXX)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=10.77.0.2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

main_pid=""
cleanup() {
  if [ -n "$main_pid" ] && kill -0 "$main_pid" 2>/dev/null; then
    # Its direct children first (the forwarders run in the root namespace), by pid, then itself.
    for c in $(pgrep -P "$main_pid" || true); do kill "$c" 2>/dev/null || true; done
    kill "$main_pid" 2>/dev/null || true; wait "$main_pid" 2>/dev/null || true
  fi
  if [ -n "$main_pid" ]; then
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^wlf-[ab]-${main_pid}-" || true); do
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FIDELITY_FWD="$fwd" FIDELITY_WORK="$work" FIDELITY_CERT="$work/cert.pem" FIDELITY_KEY="$work/key.pem" \
FIDELITY_MOSQUITTO_DEBIAN="$(command -v mosquitto || echo /usr/sbin/mosquitto)" FIDELITY_MOSQUITTO_2021="$mosq21" \
  node --disable-warning=ExperimentalWarning --import tsx fidelity/main.ts "$@" &
main_pid=$!
wait "$main_pid"
