#!/usr/bin/env bash
# Usage: tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args]
# GPUS (default 8), GPUS_PER_NODE (8), CPUS_PER_TASK (5) and SRUN_ARGS are
# read from the environment.
#
# The data and config pre-flight runs once on this host before srun.
# Preemption: SLURM sends SIGNAL (default USR1) SIGNAL_LEAD seconds (default
# 180) before the time limit; every rank then saves a checkpoint at the
# current iteration and stops (docs/long_runs.md). Inside an sbatch job the
# script then requeues the job (REQUEUE=0 turns that off); the requeued job
# (SLURM_RESTART_COUNT > 0) resumes from the newest checkpoint by itself.
SIGNAL=${SIGNAL:-USR1}
SIGNAL_LEAD=${SIGNAL_LEAD:-180}
REQUEUE=${REQUEUE:-1}
source "$(dirname "$0")/launch.sh"
# the ranks write this file when a signal stopped them after saving; srun
# reports a rank killed by signal N (OOM killer 137, segfault 139, abort
# 134) as 128 + N too, so only the file tells a saved stop from a crash
MARKER="$4/stopped_by_signal.json"
rm -f "$MARKER"
slurm_launch train.py "$1" "$2" "--signal=${SIGNAL}@${SIGNAL_LEAD}" "$3" \
    --work-dir="$4" "${@:5}"
STATUS=$?
if [ "$STATUS" -gt 128 ] && [ ! -f "$MARKER" ]; then
    echo "error: the job step ended with status $STATUS (signal" \
        "$((STATUS - 128)); 137: killed, e.g. out of memory; 139: segfault;" \
        "134: abort) without saving; not requeued: see the log above," \
        "then resume from the newest checkpoint of $4" >&2
elif [ "$STATUS" -gt 128 ]; then
    if [ "$REQUEUE" = 1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
        echo "stopped by signal $((STATUS - 128)) after saving; requeueing" \
            "job $SLURM_JOB_ID (it resumes from the newest checkpoint)" >&2
        scontrol requeue "$SLURM_JOB_ID"
    else
        echo "stopped by signal $((STATUS - 128)) after saving; run the" \
            "same command again (with --resume) to continue" >&2
    fi
fi
exit "$STATUS"
