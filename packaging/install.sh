#!/bin/sh
# Installs HairTint from its bundle (the folder `make bundle` builds, dist/hairtint/) for the current
# user: the bundle is copied to ~/.local/share/hairtint (or --prefix DIR), a menu entry is added, and
# with --kiosk the systemd user unit that starts HairTint fullscreen at login is installed and started.
# The bundle's self-test runs first; if it fails, nothing is installed.
#
#   dist/hairtint/install.sh            # the app and its menu entry
#   dist/hairtint/install.sh --kiosk    # ... and the kiosk unit, enabled and started
#
# Options: --prefix DIR (where the app goes), --no-start (install the unit without enabling it).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
config="${XDG_CONFIG_HOME:-$HOME/.config}"
prefix="$data/hairtint"
kiosk=0
start=1
while [ $# -gt 0 ]; do
    case "$1" in
        --kiosk) kiosk=1 ;;
        --no-start) start=0 ;;
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }; prefix="$2"; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ ! -x "$here/hairtint" ]; then
    echo "install.sh: run it from the bundle folder (dist/hairtint/), where the hairtint program is" >&2
    exit 2
fi
echo "Running the bundle's self-test ..."
if ! "$here/hairtint" --self-test; then
    echo "install.sh: the self-test failed; nothing was installed" >&2
    exit 1
fi

case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
if [ "$here" != "$prefix" ]; then
    mkdir -p "$(dirname "$prefix")"
    rm -rf "$prefix.new"
    cp -R "$here" "$prefix.new"
    rm -rf "$prefix"
    mv "$prefix.new" "$prefix"
fi

mkdir -p "$data/applications"
sed "s|^Exec=.*|Exec=$prefix/hairtint|" "$here/hairtint.desktop" > "$data/applications/hairtint.desktop"
echo "installed $prefix and the menu entry $data/applications/hairtint.desktop"

if [ "$kiosk" = 1 ]; then
    mkdir -p "$config/systemd/user"
    sed "s|^ExecStart=.*|ExecStart=$prefix/hairtint --kiosk|" "$here/hairtint-kiosk.service" > "$config/systemd/user/hairtint-kiosk.service"
    echo "installed the kiosk unit $config/systemd/user/hairtint-kiosk.service"
    if [ "$start" = 1 ]; then
        if command -v systemctl >/dev/null 2>&1; then
            systemctl --user daemon-reload
            systemctl --user enable --now hairtint-kiosk
            echo "the kiosk unit is enabled and started"
        else
            echo "no systemctl here: start it with 'systemctl --user enable --now hairtint-kiosk'" >&2
        fi
    fi
fi
