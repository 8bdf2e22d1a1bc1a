#!/bin/sh
# tools/window_memory.sh: peak memory of the window (alexnet-studio) while it trains on an
# image folder, as a user would run it.
#
#   tools/window_memory.sh BUILDDIR FOLDER [SECONDS [SCREENSHOT.png]]
#
# Starts the built window on a virtual X display with its own session bus, settings, cache and
# configuration (nothing of the user's is read or changed), set to model alexnet-2012, the image
# folder FOLDER and batch 16; waits 10 s (the Setup page indexes the folder), starts training
# with the window's Start shortcut (Ctrl+Return, sent through the XTEST extension), lets it train
# SECONDS (default 75), then prints one line:
#
#   folder=F idle_hwm_kib=N hwm_kib=N rss_kib=N close_hwm_kib=N steps=N first_step_wall_s=S
#
# idle_hwm_kib: the peak before training started (the window with the folder's preview); hwm_kib
# and rss_kib: /proc's VmHWM and VmRSS after SECONDS of training; close_hwm_kib: the last VmHWM
# read while the window closed (app.quit over D-Bus: it stops the run and writes the checkpoint);
# steps: the metrics file's step rows then; first_step_wall_s: the first step row's wall_s.
# With SCREENSHOT.png the screen is saved there just before the window closes, and as
# SCREENSHOT-setup.png before training starts (the Setup page).
# Needs xvfb-run, dbus-run-session, gdbus, gsettings, glib-compile-schemas, python3 (ctypes,
# libX11 and libXtst) and, for the screenshot, ImageMagick's import.
set -eu

if [ "${1:-}" != "--inner" ]; then
  [ $# -ge 2 ] || { echo "usage: $0 BUILDDIR FOLDER [SECONDS [SCREENSHOT.png]]" >&2; exit 2; }
  exec xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- sh "$0" --inner "$@"
fi
shift
build=$(cd "$1" && pwd)
folder=$2
seconds=${3:-75}
shot=${4:-}

app_id=$(sed -n 's/^#define APP_ID "\(.*\)"$/\1/p' "$build/config.h")
[ -n "$app_id" ] || { echo "$0: no APP_ID in $build/config.h" >&2; exit 1; }
tmp=$(mktemp -d)
pid=
cleanup () {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

mkdir -p "$tmp/schemas" "$tmp/config" "$tmp/cache" "$tmp/data"
cp "$build/data/$app_id.gschema.xml" "$tmp/schemas/"
glib-compile-schemas "$tmp/schemas"
export GSETTINGS_SCHEMA_DIR="$tmp/schemas" GSETTINGS_BACKEND=keyfile
export XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_DATA_HOME="$tmp/data"
export GDK_BACKEND=x11
gsettings set "$app_id" last-preset alexnet-2012
gsettings set "$app_id" dataset-kind folder
gsettings set "$app_id" dataset-folder "$folder"
gsettings set "$app_id" batch 16

"$build/src/ui/alexnet-studio" >"$tmp/app.log" 2>&1 &
pid=$!
gdbus wait --session --timeout 60 "$app_id"
# the Setup page lists the folder (no decoding) and decodes a few thumbnails
sleep 10
[ -z "$shot" ] || import -window root "${shot%.png}-setup.png"
idle_hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")

# Ctrl+Return (win.start) with the pointer over the window: no window manager runs, so the
# keyboard focus follows the pointer.
python3 - <<'EOF'
import ctypes
x11 = ctypes.CDLL("libX11.so.6")
xtst = ctypes.CDLL("libXtst.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                      ctypes.c_int, ctypes.c_ulong]
xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                   ctypes.c_ulong]
d = x11.XOpenDisplay(None)
if not d:
    raise SystemExit("cannot open the X display")
ctrl = x11.XKeysymToKeycode(d, 0xFFE3)   # Control_L
ret = x11.XKeysymToKeycode(d, 0xFF0D)    # Return
xtst.XTestFakeMotionEvent(d, -1, 300, 300, 0)
x11.XSync(d, 0)
for code, down in ((ctrl, 1), (ret, 1), (ret, 0), (ctrl, 0)):
    xtst.XTestFakeKeyEvent(d, code, down, 20)
x11.XSync(d, 0)
EOF

sleep "$seconds"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
[ -z "$shot" ] || import -window root "$shot"
# app.quit closes the window, which stops the run and writes the metrics file's last rows
obj=/$(echo "$app_id" | tr . /)
gdbus call --session --dest "$app_id" --object-path "$obj" \
  --method org.gtk.Actions.Activate quit '[]' '{}' >/dev/null
close_hwm=$hwm
for _ in $(seq 600); do
  h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$h" ] || break
  close_hwm=$h
  sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
  echo "$0: the window did not close within 120 s" >&2
  exit 1
fi
wait "$pid" || true
pid=
steps=$(cat "$tmp"/cache/alexnet-studio/runs/*/metrics.csv 2>/dev/null | grep -c '^step,' || true)
first=$(cat "$tmp"/cache/alexnet-studio/runs/*/metrics.csv 2>/dev/null | grep -m1 '^step,' | cut -d, -f4 || true)
echo "folder=$folder idle_hwm_kib=$idle_hwm hwm_kib=$hwm rss_kib=$rss close_hwm_kib=$close_hwm steps=$steps first_step_wall_s=$first"
if [ "$steps" -eq 0 ]; then
  echo "$0: no training step was recorded; the window's log:" >&2
  cat "$tmp/app.log" >&2
  exit 1
fi
