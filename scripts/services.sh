#!/usr/bin/env bash
# Installs what tests start on loopback themselves, only when missing: PostgreSQL and Redis
# (throwaway servers) and Debian's Chromium (the browser tests drive it through Playwright;
# Playwright's own browser downloads are not used). Starts no system service.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || [[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)  # tests/e2e/test_browser.py launches this path

if ((${#missing[@]} == 0)); then
    echo "services: PostgreSQL, Redis and Chromium are installed"
    exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then as_root=(sudo); fi

# Debian starts a package's service on install unless policy-rc.d says no (exit 101).
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
    "${as_root[@]}" chmod +x "$policy"
    own_policy=true
fi
cleanup() { if $own_policy; then "${as_root[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

echo "services: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
echo "services: installed ${missing[*]}"
