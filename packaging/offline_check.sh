#!/bin/sh
# Run the bundled self-test the way a locked-down client machine would:
#   - in a new network namespace with no interfaces but a downed loopback (unshare -n; -rn when not root),
#   - with an empty environment and a PATH that holds only the bundle's symlink (no Python anywhere),
#   - offscreen Qt, a throw-away HOME, and an audit hook that fails any Internet socket attempt.
# Usage: packaging/offline_check.sh [BUNDLE_DIR] [extra selftest args]   (default: dist/scrubdesk)
# Exit status: the self-test's (0 = every step passed or was skipped as not in this build).
set -eu

BUNDLE=${1:-dist/scrubdesk}
if [ $# -gt 0 ]; then shift; fi
BUNDLE=$(cd "$BUNDLE" && pwd)
[ -x "$BUNDLE/scrubdesk" ] || { echo "no executable at $BUNDLE/scrubdesk; build first" >&2; exit 2; }

SANDBOX=$(mktemp -d "${TMPDIR:-/tmp}/scrubdesk-offline.XXXXXX")
trap 'rm -rf "$SANDBOX"' EXIT INT TERM
mkdir -p "$SANDBOX/bin" "$SANDBOX/home" "$SANDBOX/tmp"
ln -s "$BUNDLE/scrubdesk" "$SANDBOX/bin/scrubdesk"

if [ "$(id -u)" -eq 0 ]; then NS="unshare --net"; else NS="unshare --map-root-user --net"; fi

# The inner shell runs with PATH=$SANDBOX/bin only: every tool it needs is called by absolute path.
exec /usr/bin/env -i \
    PATH="$SANDBOX/bin" HOME="$SANDBOX/home" TMPDIR="$SANDBOX/tmp" LANG=C.UTF-8 \
    XDG_CONFIG_HOME="$SANDBOX/home/.config" XDG_DATA_HOME="$SANDBOX/home/.local/share" \
    XDG_CACHE_HOME="$SANDBOX/home/.cache" QT_QPA_PLATFORM=offscreen \
    /usr/bin/$NS /bin/sh -c '
        set -eu
        for tool in python3 python python3.11 pip; do
            if command -v "$tool" >/dev/null 2>&1; then echo "offline check: $tool is on PATH" >&2; exit 2; fi
        done
        interfaces=$(/usr/bin/tail -n +3 /proc/net/dev | /usr/bin/cut -d: -f1 | /usr/bin/tr -d " " | /usr/bin/tr "\n" " ")
        if [ "$interfaces" != "lo " ]; then echo "offline check: interfaces present: $interfaces" >&2; exit 2; fi
        # (/sys/class/net shows the host namespace; /proc/net is this one.) No routes, no IPv6 address:
        if /usr/bin/grep -qv "^Iface" /proc/net/route || [ -s /proc/net/if_inet6 ]; then
            echo "offline check: the namespace has routes or addresses" >&2; exit 2
        fi
        echo "offline check: network namespace with no routes and no addresses; no Python on PATH=$PATH" >&2
        exec scrubdesk selftest --forbid-network "$@"
    ' sh "$@"
