# Sourced by tools/dist_train.sh and tools/dist_test.sh after find_python.sh:
# check_launch GPUS stops with one line when GPUS is not a positive whole
# number or when PORT is not a port, or (on node 0) is already in use.
check_launch() {
    if ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
        echo "error: GPUS='$1' must be the number of processes per node" \
            "(1 or more), e.g. 8" >&2
        exit 2
    fi
    if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || \
            [ "$PORT" -gt 65535 ]; then
        echo "error: PORT='$PORT' is not a port number (1-65535)" >&2
        exit 2
    fi
    if [ "$NODE_RANK" = 0 ] && ! "$PYTHON" - "$PORT" 2>/dev/null <<'PY'
import socket
import sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('', int(sys.argv[1])))
PY
    then
        echo "error: port $PORT is in use (another run on this machine?);" \
            "pick a free one, e.g. PORT=$((PORT + 1)) $0 ..." >&2
        exit 2
    fi
}
