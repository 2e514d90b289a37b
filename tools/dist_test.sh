#!/usr/bin/env bash
# Usage: tools/dist_test.sh CONFIG CHECKPOINT GPUS [tools/test.py arguments]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# Without CUDA the processes evaluate on the CPU with the gloo backend.
set -e
source "$(dirname "$0")/launch.sh"
if [ -z "$1" ] || [ -z "$2" ] || [ -z "$3" ]; then
    echo "usage: $0 CONFIG CHECKPOINT GPUS [test.py arguments]" >&2
    exit 2
fi
dist_launch test.py "$3" "" "$1" "$2" "${@:4}"
