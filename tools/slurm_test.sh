#!/usr/bin/env bash
# Usage: tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args]
# GPUS (default 8), GPUS_PER_NODE (8), CPUS_PER_TASK (5) and SRUN_ARGS are
# read from the environment. The pre-flight runs once on this host first.
source "$(dirname "$0")/launch.sh"
slurm_launch test.py "$1" "$2" "" "$3" "$4" "${@:5}"
