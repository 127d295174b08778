#!/usr/bin/env bash
# Installs what Fovea's tests need from Debian, idempotently:
#   chromium (browser e2e, and its SwiftShader Vulkan ICD as the last-resort Node adapter),
#   libvulkan1 (the Vulkan loader dawn.node opens), libonnx-testdata (ONNX backend conformance),
#   python3-torch/torchvision/onnx (the model-export scripts), dataset-fashion-mnist (the demo
#   model's training data, scripts/train-lenet.py),
#   and Mesa 25 lavapipe from bookworm-backports, unpacked into a private cache (not installed
#   system-wide: bookworm's own Mesa 22 lavapipe is refused by Dawn).
# Prints what to install by hand when it cannot (no root, no apt).
set -euo pipefail

CACHE_DIR="${FOVEA_CACHE_DIR:-$HOME/.cache/fovea}"
LVP_DIR="$CACHE_DIR/lavapipe"
PKGS=(chromium libvulkan1 libonnx-testdata python3-torch python3-torchvision python3-onnx python3-numpy dataset-fashion-mnist)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
can_apt() { command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; }; }

if [ ${#missing[@]} -gt 0 ]; then
  if can_apt; then
    echo "[fovea setup] installing: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "[fovea setup] cannot install system packages (need root and apt-get). Please run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
  fi
fi

# lavapipe (Mesa >= 25) from bookworm-backports into $LVP_DIR, with an ICD json pointing at it.
if [ ! -f "$LVP_DIR/icd.json" ]; then
  if command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
    echo "[fovea setup] fetching Mesa lavapipe from bookworm-backports into $LVP_DIR"
    tmp="$(mktemp -d)"
    mkdir -p "$tmp/lists/partial" "$tmp/debs" "$LVP_DIR"
    echo "deb http://deb.debian.org/debian bookworm-backports main" > "$tmp/sources.list"
    APT_OPTS=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
              -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::archives=$tmp/debs" -o "APT::Sandbox::User=root")
    apt-get "${APT_OPTS[@]}" update -qq
    (cd "$tmp/debs" && apt-get "${APT_OPTS[@]}" download -qq \
        mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports \
        libllvm19 2>/dev/null || \
     cd "$tmp/debs" && apt-get "${APT_OPTS[@]}" download -qq \
        mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports)
    for d in "$tmp"/debs/*.deb; do dpkg -x "$d" "$LVP_DIR/root"; done
    lib="$(dirname "$(find "$LVP_DIR/root" -name libvulkan_lvp.so | head -n1)")"
    if [ -z "$lib" ] || [ ! -f "$lib/libvulkan_lvp.so" ]; then
      echo "[fovea setup] lavapipe download failed; Node will fall back to SwiftShader" >&2
    else
      cat > "$LVP_DIR/icd.json" <<JSON
{ "file_format_version": "1.0.0",
  "ICD": { "library_path": "$lib/libvulkan_lvp.so", "api_version": "1.3.0" } }
JSON
      echo "$lib" > "$LVP_DIR/libdir"
    fi
    rm -rf "$tmp"
  else
    echo "[fovea setup] no apt-get: cannot fetch lavapipe; Node will use SwiftShader if chromium is installed" >&2
  fi
fi
echo "[fovea setup] system dependencies ready"
