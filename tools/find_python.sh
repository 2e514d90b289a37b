# Sourced by the launchers: sets ROOT (the repo) and PYTHON (the interpreter:
# $PYTHON if set, else the active virtualenv's, else the repo's .venv).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "$PYTHON" ]; then
    if [ -z "$VIRTUAL_ENV" ] && [ -z "$CONDA_PREFIX" ] && \
            [ -x "$ROOT/.venv/bin/python" ]; then
        PYTHON="$ROOT/.venv/bin/python"
    else
        PYTHON=python
    fi
fi
