#!/usr/bin/env bash
# System packages the test suite needs on Debian 12 (see docs/testbed.md): a real OpenSSH
# server and client, systemd-nspawn and debootstrap for the host fleet, Redis, Debian's
# Chromium for Playwright, strace (the audit tests' slow and failing disk), and the comparators
# the benchmarks measure against.
set -euo pipefail
packages=(openssh-server openssh-client debootstrap systemd-container redis-server chromium iproute2 procps
  strace ansible-core pssh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-test-deps] all system packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[install-test-deps] missing packages: ${missing[*]}; run this script as root (sudo bash $0)" >&2
  exit 1
fi
echo "[install-test-deps] installing: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
