#!/usr/bin/env bash
# Set up everything mmscratch needs, from nothing:
#   - a Python environment: the active virtualenv/conda env if there is one,
#     else ./.venv (reusing a torch the base interpreter already has);
#   - torch==2.13.0 unless the environment already has a torch;
#   - mmcv 2.1.0 built from source with its compiled ops (RoIAlign, NMS),
#     the wheel cached in $MMSCRATCH_CACHE (default ~/.cache/mmscratch) so
#     the next set-up installs it in seconds;
#   - the pinned requirements and mmscratch itself in editable mode.
# Safe to run again: finished steps are skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CACHE="${MMSCRATCH_CACHE:-$HOME/.cache/mmscratch}"
TORCH_VERSION="${MMSCRATCH_TORCH:-2.13.0}"
MMCV_VERSION=2.1.0
log() { echo "[setup] $*"; }

if [ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ]; then
    PY=python
    log "using the active environment ($(command -v python))"
else
    PY="$ROOT/.venv/bin/python"
    if [ ! -x "$PY" ]; then
        BASE="${PYTHON:-python3}"
        if "$BASE" -c 'import torch' >/dev/null 2>&1; then
            log "creating .venv that sees the torch of $BASE"
            "$BASE" -m venv --system-site-packages "$ROOT/.venv"
        else
            log "creating .venv with $BASE"
            "$BASE" -m venv "$ROOT/.venv"
        fi
    fi
fi
# -qq: errors only (a pip configuration's warnings would read as failures)
PIP=("$PY" -m pip --disable-pip-version-check -qq)
"$PY" -c 'import sys; assert sys.version_info >= (3, 8), sys.version' || {
    echo "[setup] error: mmscratch needs Python >= 3.8" >&2; exit 1; }

if "$PY" -c 'import torch' >/dev/null 2>&1; then
    log "keeping torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
    log "installing torch==$TORCH_VERSION"
    "${PIP[@]}" install "torch==$TORCH_VERSION"
fi

mmcv_ok() {
    "$PY" - <<'PY' >/dev/null 2>&1
import mmcv
from mmcv.ops import nms, roi_align  # noqa: F401
assert mmcv.__version__ == '2.1.0'
PY
}

MMCV_WHEEL=()
if mmcv_ok; then
    log "mmcv $MMCV_VERSION with ops already installed"
else
    # The wheel depends on the Python, torch and CUDA it was built against.
    # (stderr: torch warns when numpy is not installed yet)
    KEY="$("$PY" -c 'import sys, torch; print("py%d%d-torch%s-cuda%s" % (sys.version_info[0], sys.version_info[1], torch.__version__, torch.version.cuda or "none"))' 2>/dev/null)"
    WHEELS="$CACHE/wheels/$KEY"
    if ! ls "$WHEELS"/mmcv-$MMCV_VERSION-*.whl >/dev/null 2>&1; then
        log "building mmcv $MMCV_VERSION with ops (about 8 minutes on 2 cores)"
        # mmcv's setup.py imports pkg_resources and builds with setuptools
        # < 70; those build tools go to a side folder on PYTHONPATH so the
        # environment keeps the setuptools torch needs (>= 77).
        BUILD="$(mktemp -d)"
        # (pip compares that folder with the environment and reports
        # torch's setuptools >= 77 as a conflict: shown only on failure)
        if ! out="$("${PIP[@]}" install --target "$BUILD/build-tools" \
                "setuptools<70" ninja wheel 2>&1)"; then
            echo "$out" >&2
            exit 1
        fi
        PATH="$BUILD/build-tools/bin:$PATH" \
        PYTHONPATH="$BUILD/build-tools${PYTHONPATH:+:$PYTHONPATH}" \
        MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
            "${PIP[@]}" wheel --no-deps --no-build-isolation \
            --no-binary mmcv -w "$BUILD" "mmcv==$MMCV_VERSION"
        mkdir -p "$WHEELS"
        mv "$BUILD"/mmcv-$MMCV_VERSION-*.whl "$WHEELS"/
        rm -rf "$BUILD"
    else
        log "using the cached mmcv wheel in $WHEELS"
    fi
    # an mmcv without ops (or another version) goes first
    "${PIP[@]}" uninstall -y mmcv mmcv-full mmcv-lite >/dev/null 2>&1 || true
    MMCV_WHEEL=("$WHEELS"/mmcv-$MMCV_VERSION-*.whl)
fi

log "installing the pinned requirements and mmscratch (editable)"
# torch needs setuptools >= 77; mmengine imports pkg_resources (gone in 81).
"${PIP[@]}" install "setuptools>=77,<81" wheel
# mmcv's wheel together with the pins: its dependencies resolve to them
"${PIP[@]}" install "${MMCV_WHEEL[@]}" -r requirements/pinned.txt
"${PIP[@]}" install --no-deps --no-build-isolation -e .
"$PY" - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
import mmscratch
names = ('torch', 'mmcv', 'mmengine', 'mmdet')
print(f'[setup] ready: mmscratch {mmscratch.__version__} with ' + ', '.join(
    f'{n} {version(n)}' for n in names) + f' in {sys.prefix}')
PY
