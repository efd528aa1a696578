#!/usr/bin/env bash
# install-deps.sh — the Debian 12 packages trainscope's build, tests and demo need (Swift itself is
# not a Debian package: it is expected at /opt/swift or on PATH).
#
#   bash scripts/install-deps.sh              # libpcre2-dev libsqlite3-dev prometheus python3 python3-venv curl
#   bash scripts/install-deps.sh time gcc     # the same, plus extra packages (the benchmark's)
#
# Idempotent and quick: each package is checked with `dpkg -s`, and apt runs only when one is missing.
# Installing needs root (or sudo).
set -euo pipefail

packages=(libpcre2-dev libsqlite3-dev prometheus python3 python3-venv curl "$@")
# Read all of `dpkg -s` before matching: `dpkg -s | grep -q` would make dpkg die of SIGPIPE on long
# descriptions, and pipefail would then call an installed package missing.
installed() {
    local status
    status=$(dpkg -s "$1" 2>/dev/null) || return 1
    [[ $'\n'$status$'\n' == *$'\nStatus: install ok installed\n'* ]]
}
missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
    sudo=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "install-deps: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
    echo "install-deps: installing ${missing[*]}" >&2
    apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
    "${apt[@]}" update
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1 && [ ! -x /opt/swift/usr/bin/swift ]; then
    echo "install-deps: swift not found (neither on PATH nor at /opt/swift/usr/bin); install Swift 6.1 or later" >&2
    exit 1
fi
