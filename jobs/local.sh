#!/bin/bash
# kdmc on this machine under mpirun:
#   jobs/local.sh [-n RANKS] EXPERIMENT OUT [kdmc run options]
#   EXPERIMENT  a preset name (kdmc list) or an experiment file
#   OUT         the output folder; run the same command again to resume from its checkpoints
# RANKS defaults to KDMC_RANKS, else the number of cores (nproc). `kill -USR1` or `kill -TERM`
# to this script's pid (or Ctrl-C) asks kdmc for a checkpoint; it then exits with status 3.
# KDMC_WALLTIME (seconds or HH:MM:SS) does the same on its own KDMC_WARN_SECONDS (120) before
# that time. See jobs/README.md.
set -uo pipefail

# shellcheck source=lib/common.sh
source "${KDMC_HOME:-$(dirname "$0")/..}/jobs/lib/common.sh" || exit 1

KDMC_USAGE="jobs/local.sh [-n RANKS] EXPERIMENT OUT [kdmc run options]"
ranks=${KDMC_RANKS:-$(nproc)}
if [ "${1:-}" = "-n" ]; then
    [ $# -ge 2 ] || kdmc_fail "usage: $KDMC_USAGE" 64
    ranks=$2
    shift 2
fi
mpirun_options=""
if [[ "$ranks" =~ ^[0-9]+$ ]] && [ "$ranks" -gt "$(nproc)" ]; then
    mpirun_options="--oversubscribe"
fi
kdmc_job_main "$ranks" "$mpirun_options" "$@"
exit $?
