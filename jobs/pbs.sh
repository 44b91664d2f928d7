#!/bin/bash
# kdmc under PBS Pro or Torque:
#   qsub -v KDMC_EXPERIMENT=gaussian-exact,KDMC_OUT=runs/gaussian-exact jobs/pbs.sh
#   qsub -- jobs/pbs.sh EXPERIMENT OUT [kdmc run options]        (PBS Pro: arguments after --)
#   EXPERIMENT  a preset name (kdmc list) or an experiment file, relative to the submission folder
#   OUT         the output folder; submit the same job again to resume from its checkpoints
# The rank count is the number of lines of $PBS_NODEFILE (else PBS_NP, else NCPUS). PBS gives no
# warning before the wall-time limit, so this script sets its own: KDMC_WARN_SECONDS (120)
# before the walltime it reads from KDMC_WALLTIME, PBS_WALLTIME or qstat, it asks kdmc for a
# checkpoint; SIGTERM (qdel, or the limit itself) does the same. See jobs/README.md.
#PBS -N kdmc
#PBS -l select=1:ncpus=2:mpiprocs=2
#PBS -l walltime=01:00:00
#PBS -j oe
#PBS -r y
# Torque: replace the select line with   #PBS -l nodes=1:ppn=2
set -uo pipefail

cd "${PBS_O_WORKDIR:-.}" || exit 1

# PBS runs a copy of this script from its spool folder: find the package from $KDMC_HOME, the
# script's own folder, or the submission folder.
kdmc_package() {
    local dir
    for dir in "${KDMC_HOME:-}" "$(dirname "$0")/.." "${PBS_O_WORKDIR:-.}"; do
        if [ -n "$dir" ] && [ -f "$dir/jobs/lib/common.sh" ]; then (cd "$dir" && pwd); return; fi
    done
    echo "kdmc job: cannot find jobs/lib/common.sh; set KDMC_HOME to the kdmc package folder (qsub -v KDMC_HOME=...)" >&2
    exit 1
}
KDMC_HOME=$(kdmc_package) || exit 1
# shellcheck source=lib/common.sh
source "$KDMC_HOME/jobs/lib/common.sh"

KDMC_USAGE="qsub -v KDMC_EXPERIMENT=...,KDMC_OUT=... jobs/pbs.sh, or jobs/pbs.sh EXPERIMENT OUT [kdmc run options]"
if [ $# -eq 0 ] && [ -n "${KDMC_EXPERIMENT:-}" ] && [ -n "${KDMC_OUT:-}" ]; then
    set -- "$KDMC_EXPERIMENT" "$KDMC_OUT"
fi

ranks=${KDMC_RANKS:-}
mpirun_options=""
if [ -n "${PBS_NODEFILE:-}" ] && [ -s "$PBS_NODEFILE" ]; then
    [ -n "$ranks" ] || ranks=$(grep -c . "$PBS_NODEFILE")
    mpirun_options="--hostfile $PBS_NODEFILE"
fi
[ -n "$ranks" ] || ranks=${PBS_NP:-${NCPUS:-1}}

if [ -z "${KDMC_WALLTIME:-}" ]; then
    if [ -n "${PBS_WALLTIME:-}" ]; then
        KDMC_WALLTIME=$PBS_WALLTIME                     # Torque: seconds
    elif [ -n "${PBS_JOBID:-}" ] && command -v qstat >/dev/null 2>&1; then
        KDMC_WALLTIME=$(qstat -f "$PBS_JOBID" 2>/dev/null | sed -n 's/^ *Resource_List.walltime = //p' | head -n 1)
    fi
    [ -z "${KDMC_WALLTIME:-}" ] || export KDMC_WALLTIME
fi

kdmc_say "PBS job ${PBS_JOBID:-?}"
kdmc_job_main "$ranks" "$mpirun_options" "$@"
exit $?
