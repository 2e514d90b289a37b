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
set -x
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
SIGNAL=${SIGNAL:-USR1}
SIGNAL_LEAD=${SIGNAL_LEAD:-180}
REQUEUE=${REQUEUE:-1}
PY_ARGS=${@:5}
source "$(dirname "$0")/find_python.sh"

# the pre-flight once here, in one process (this host needs no GPU): a bad
# input stops in one line before any job step starts; the ranks skip it
set +x
PYTHONPATH="$ROOT:$PYTHONPATH" "$PYTHON" "$ROOT/tools/train.py" "${CONFIG}" \
    --work-dir="${WORK_DIR}" --check-only --launcher none ${PY_ARGS} || exit
set -x

MMSCRATCH_CHECKED_BY_LAUNCHER=1 PYTHONPATH="$ROOT:$PYTHONPATH" \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    --gres=gpu:"${GPUS_PER_NODE}" \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${GPUS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    --signal="${SIGNAL}@${SIGNAL_LEAD}" \
    ${SRUN_ARGS} \
    "$PYTHON" -u "$ROOT/tools/train.py" "${CONFIG}" \
    --work-dir="${WORK_DIR}" --launcher="slurm" ${PY_ARGS}
STATUS=$?
set +x
# 128 + signal: the ranks saved a checkpoint and stopped on a signal
if [ "$STATUS" -gt 128 ] && [ "$STATUS" -lt 160 ]; then
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
