# Sourced by the four launchers (dist_*.sh, slurm_*.sh). Sets ROOT (the
# repo) and PYTHON ($PYTHON if set, else the active virtualenv's, else the
# repo's .venv), and runs a tool's pre-flight once, then its ranks.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "$PYTHON" ]; then
    if [ -z "$VIRTUAL_ENV" ] && [ -z "$CONDA_PREFIX" ] && \
            [ -x "$ROOT/.venv/bin/python" ]; then
        PYTHON="$ROOT/.venv/bin/python"
    else
        PYTHON=python
    fi
fi

# check_launch GPUS: one line and exit 2 when GPUS is not a positive whole
# number, or PORT is not a port or (on node 0) is already in use.
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

# preflight TOOL LAUNCHER ARGS...: the tool's data and config checks once,
# in this one process: a bad input stops in one line (not in one traceback
# per rank) before any rank starts; the ranks then skip them.
preflight() {
    local tool=$1 launcher=$2
    shift 2
    PYTHONPATH="$ROOT:$PYTHONPATH" "$PYTHON" "$ROOT/tools/$tool" "$@" \
        --check-only --launcher "$launcher"
}

# dist_launch TOOL GPUS TORCHRUN_OPTIONS ARGS...: TOOL's ranks on this node
# under torchrun (multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT set on
# every node). TORCHRUN_OPTIONS is one word ("" for none).
dist_launch() {
    local tool=$1 gpus=$2 options=$3
    shift 3
    NNODES=${NNODES:-1}
    NODE_RANK=${NODE_RANK:-0}
    PORT=${PORT:-29500}
    MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
    check_launch "$gpus"
    preflight "$tool" pytorch "$@"
    MMSCRATCH_CHECKED_BY_LAUNCHER=1 PYTHONPATH="$ROOT:$PYTHONPATH" \
    "$PYTHON" -m torch.distributed.run \
        --nnodes="$NNODES" \
        --node_rank="$NODE_RANK" \
        --master_addr="$MASTER_ADDR" \
        --nproc_per_node="$gpus" \
        --master_port="$PORT" \
        ${options} \
        "$ROOT/tools/$tool" "$@" --launcher pytorch &
    wait_forwarding_stops $!
}

# wait_forwarding_stops PID: wait for torchrun PID; a stop signal (TERM,
# INT, USR1) sent to this script only, as docker stop and Kubernetes send
# it, goes to every rank (torchrun's children), which save and stop, and
# SIGTERM to torchrun, so that it restarts none of them (MAX_RESTARTS) and
# gives them its grace period (30 s) to finish saving; then exit with
# 128 + that signal once torchrun has ended.
wait_forwarding_stops() {
    local launcher=$1 sig status=0
    STOP_SIGNAL=0
    for sig in TERM INT USR1; do
        # shellcheck disable=SC2064  # the values of now
        trap "STOP_SIGNAL=\$(kill -l $sig); pkill -$sig -P $launcher;
              kill -TERM $launcher 2>/dev/null" "$sig"
    done
    while :; do
        status=0
        wait "$launcher" || status=$?
        kill -0 "$launcher" 2>/dev/null || break  # else a trapped signal
    done
    trap - TERM INT USR1
    if [ "$STOP_SIGNAL" -gt 0 ]; then
        echo "$(kill -l "$STOP_SIGNAL") received: forwarded to every rank;" \
            "resume the run (--resume) to continue" >&2
        exit $((128 + STOP_SIGNAL))
    fi
    exit "$status"
}

# slurm_launch TOOL PARTITION JOB_NAME SRUN_OPTIONS ARGS...: the pre-flight
# on this host (it needs no GPU), then TOOL's ranks as one srun job step.
# GPUS (default 8), GPUS_PER_NODE (8), CPUS_PER_TASK (5) and SRUN_ARGS come
# from the environment. Returns srun's status.
slurm_launch() {
    local tool=$1 partition=$2 job_name=$3 options=$4
    shift 4
    preflight "$tool" none "$@" || exit
    MMSCRATCH_CHECKED_BY_LAUNCHER=1 PYTHONPATH="$ROOT:$PYTHONPATH" \
    srun -p "$partition" \
        --job-name="$job_name" \
        --gres=gpu:"${GPUS_PER_NODE:-8}" \
        --ntasks="${GPUS:-8}" \
        --ntasks-per-node="${GPUS_PER_NODE:-8}" \
        --cpus-per-task="${CPUS_PER_TASK:-5}" \
        --kill-on-bad-exit=1 \
        ${options} \
        ${SRUN_ARGS} \
        "$PYTHON" -u "$ROOT/tools/$tool" "$@" --launcher=slurm
}
