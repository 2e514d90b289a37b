#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG GPUS [tools/train.py arguments]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without CUDA the processes train on the CPU with the gloo backend.
# MAX_RESTARTS=N (default 0): torchrun restarts the whole group up to N
# times when a rank dies; the restarted ranks resume from the newest
# checkpoint of the work dir by themselves (tools/train.py).
set -e
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
MAX_RESTARTS=${MAX_RESTARTS:-0}
source "$(dirname "$0")/find_python.sh"
source "$(dirname "$0")/check_launch.sh"
if [ -z "$CONFIG" ] || [ -z "$GPUS" ]; then
    echo "usage: $0 CONFIG GPUS [train.py arguments]" >&2
    exit 2
fi
check_launch "$GPUS"
if ! [[ "$MAX_RESTARTS" =~ ^[0-9]+$ ]]; then
    echo "error: MAX_RESTARTS='$MAX_RESTARTS' must be a whole number" >&2
    exit 2
fi
# the pre-flight once here, in one process: a bad input stops in one line
# (not in one traceback per rank); the ranks then skip the data checks
PYTHONPATH="$ROOT:$PYTHONPATH" "$PYTHON" "$ROOT/tools/train.py" "$CONFIG" \
    --check-only --launcher pytorch "${@:3}"

MMSCRATCH_CHECKED_BY_LAUNCHER=1 PYTHONPATH="$ROOT:$PYTHONPATH" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    --max-restarts="$MAX_RESTARTS" \
    "$ROOT/tools/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
