#!/bin/sh
# The device kit's launcher: unpacks each part once into the work folder (a part unpacked stays
# unpacked: the next call finds its mark and goes on), then runs the kit's own Node on the kit's
# program with the kit's Vulkan loader. Nothing is installed and nothing is downloaded.
#   ./run.sh probe|make|bench [options]      work folder: $OVSEG_KIT_WORK, default ./work
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${OVSEG_KIT_WORK:-$HERE/work}
mkdir -p "$WORK"
for p in "$HERE"/ovseg-kit-part-*.tar.gz; do
  [ -e "$p" ] || continue
  mark="$WORK/.unpacked-$(basename "$p")"
  [ -e "$mark" ] && continue
  echo "unpacking $(basename "$p")..."
  tar -xzf "$p" -C "$WORK"
  touch "$mark"
done
missing=""
while read -r part; do
  [ -n "$part" ] && [ ! -e "$WORK/.unpacked-$part" ] && missing="$missing $part"
done < "$HERE/parts.txt"
if [ -n "$missing" ]; then
  echo "run.sh: parts not yet unpacked (put them beside run.sh):$missing" >&2
  exit 4
fi
KIT="$WORK/kit"
export LD_LIBRARY_PATH="$KIT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OVSEG_ORT_DIR="$KIT/ort"
cd "$WORK"
exec "$KIT/node/bin/node" "$KIT/tools/device/kit.mjs" "$@"
