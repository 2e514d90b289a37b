#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG GPUS [tools/train.py arguments]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without CUDA the processes train on the CPU with the gloo backend.
# MAX_RESTARTS=N (default 0): torchrun restarts the whole group up to N
# times when a rank dies; the restarted ranks resume from the newest
# checkpoint of the work dir by themselves (tools/train.py).
set -e
source "$(dirname "$0")/launch.sh"
if [ -z "$1" ] || [ -z "$2" ]; then
    echo "usage: $0 CONFIG GPUS [train.py arguments]" >&2
    exit 2
fi
MAX_RESTARTS=${MAX_RESTARTS:-0}
if ! [[ "$MAX_RESTARTS" =~ ^[0-9]+$ ]]; then
    echo "error: MAX_RESTARTS='$MAX_RESTARTS' must be a whole number" >&2
    exit 2
fi
dist_launch train.py "$2" "--max-restarts=$MAX_RESTARTS" "$1" "${@:3}"
