# Shared by jobs/slurm.sbatch, jobs/pbs.sh and jobs/local.sh (sourced, never run).
#
# A job runs one experiment file or preset into one output folder:
#   kdmc_job_main RANKS "mpirun options" EXPERIMENT OUT [kdmc run options...]
# It finds the kdmc executable, checks the experiment, resumes when OUT holds checkpoints,
# runs `kdmc run` under mpirun in the background so that the shell can take the scheduler's
# warning signals, and forwards them to mpirun as SIGUSR1 (Open MPI's mpirun passes SIGUSR1 on
# to every rank; kdmc then checkpoints at once and exits with status 3).
#
# Exit status: kdmc's own (0 done, 1 failure, 2 invalid experiment, 3 stopped with a
# checkpoint: submit the same job again to continue, 64 usage).

KDMC_STOPPED_STATUS=3

kdmc_say() { printf 'kdmc job: %s\n' "$*" >&2; }
kdmc_fail() { kdmc_say "$1"; exit "${2:-1}"; }

# Seconds from "SS", "MM:SS", "HH:MM:SS" or "D-HH:MM:SS" (Slurm and PBS walltime forms).
kdmc_seconds() {
    local text=$1 days=0 h=0 m=0 s=0 parts=()
    case $text in *-*) days=${text%%-*}; text=${text#*-} ;; esac
    IFS=: read -r -a parts <<< "$text"
    case ${#parts[@]} in
        1) s=${parts[0]} ;;
        2) m=${parts[0]}; s=${parts[1]} ;;
        3) h=${parts[0]}; m=${parts[1]}; s=${parts[2]} ;;
        *) return 1 ;;
    esac
    [[ "$days$h$m$s" =~ ^[0-9]+$ ]] || return 1
    echo $(( ((10#$days * 24 + 10#$h) * 60 + 10#$m) * 60 + 10#$s ))
}

# The kdmc executable: $KDMC, else the release build of the package this file belongs to.
kdmc_find_binary() {
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    KDMC_BIN=${KDMC:-$root/.build/release/kdmc}
    if [ ! -x "$KDMC_BIN" ]; then
        kdmc_fail "no kdmc executable at $KDMC_BIN; build it first (make build, or swift build -c release in $root) or set KDMC=/path/to/kdmc"
    fi
}

# The MPI launcher, unless the job is a single rank and there is none.
kdmc_find_mpirun() {
    KDMC_MPIRUN=${KDMC_MPIRUN:-mpirun}
    if ! command -v "$KDMC_MPIRUN" >/dev/null 2>&1; then
        if [ "$1" -eq 1 ]; then KDMC_MPIRUN=""; return; fi
        kdmc_fail "no $KDMC_MPIRUN on PATH for $1 ranks; load your MPI (e.g. module load openmpi) or set KDMC_MPIRUN"
    fi
}

# Under Slurm, srun can start the ranks itself when Slurm and the MPI library share a process
# management interface: `srun --mpi=list` names pmix or pmi2, and (for Open MPI) ompi_info shows
# a matching pmix component. KDMC_LAUNCHER=auto picks srun then, and says why it falls back to
# mpirun otherwise; KDMC_LAUNCHER=srun insists; mpirun (the default) never asks. srun is not the
# default: on the test Slurm, a SIGUSR1 forwarded to srun while its step was still settling
# aborted the step ("aborted before step completely launched") and srun returned 0.
# Sets KDMC_SRUN_MPI (pmix or pmi2) when srun is chosen.
kdmc_pick_srun() {
    KDMC_SRUN_MPI=""
    local wanted=${KDMC_LAUNCHER:-mpirun}
    [ "$wanted" = mpirun ] && return 1
    if [ -z "${SLURM_JOB_ID:-}" ] || ! command -v srun >/dev/null 2>&1; then
        [ "$wanted" = srun ] && kdmc_fail "KDMC_LAUNCHER=srun, but this is not a Slurm job with srun on PATH" 64
        return 1
    fi
    local slurm_mpi ompi=""
    slurm_mpi=$(srun --mpi=list 2>&1)
    if command -v ompi_info >/dev/null 2>&1; then ompi=$(ompi_info --parsable 2>/dev/null | grep '^mca:pmix:'); fi
    local kind
    for kind in pmix pmi2; do
        grep -qw "$kind" <<< "$slurm_mpi" || grep -q "mpi/$kind\b" <<< "$slurm_mpi" || continue
        case $kind in
            pmix) [ -z "$ompi" ] || grep -qE '^mca:pmix:(ext|pmix)[0-9]' <<< "$ompi" || continue ;;
            pmi2) [ -z "$ompi" ] || grep -q '^mca:pmix:s2' <<< "$ompi" || continue ;;
        esac
        KDMC_SRUN_MPI=$kind
        return 0
    done
    if [ "$wanted" = srun ]; then
        kdmc_fail "KDMC_LAUNCHER=srun, but srun --mpi=list and the MPI library share neither pmix nor pmi2" 64
    fi
    kdmc_say "srun cannot start these MPI ranks (srun --mpi=list and the MPI library share neither pmix nor pmi2): launching with mpirun"
    return 1
}

# Runs "$@" in the background and waits for it, forwarding USR1, TERM and INT to it as USR1
# (one checkpoint-and-stop request; mpirun itself would abort the job on TERM or INT).
# Sets KDMC_STATUS and KDMC_SIGNAL (the name of the first signal received, if any).
kdmc_run_forwarding() {
    KDMC_SIGNAL=""
    "$@" &
    KDMC_CHILD=$!
    trap 'kdmc_forward USR1' USR1
    trap 'kdmc_forward TERM' TERM
    trap 'kdmc_forward INT' INT
    while true; do
        wait "$KDMC_CHILD"
        KDMC_STATUS=$?
        # wait returns early (status > 128) when a trapped signal arrives; the child goes on.
        if [ "$KDMC_STATUS" -gt 128 ] && kill -0 "$KDMC_CHILD" 2>/dev/null; then continue; fi
        break
    done
    trap - USR1 TERM INT
    kdmc_stop_timer
}

kdmc_forward() {
    if [ -z "$KDMC_SIGNAL" ]; then
        KDMC_SIGNAL=$1
        kdmc_say "SIG$1 received: asking kdmc to write a checkpoint and stop (blocks in flight are abandoned)"
    fi
    kill -USR1 "$KDMC_CHILD" 2>/dev/null || true
}

# A self-timer for schedulers that give no warning before the wall-time limit (PBS): at
# LIMIT − MARGIN seconds after the job started, send ourselves SIGUSR1.
kdmc_start_timer() {
    local limit=$1 margin=$2 delay
    delay=$(( limit - margin ))
    if [ "$delay" -lt 1 ]; then delay=1; fi
    kdmc_say "wall time ${limit} s: asking for a checkpoint ${margin} s before the end (in ${delay} s)"
    # The subshell takes its sleep with it when stopped; $$ is still this script.
    ( trap 'kill "$nap" 2>/dev/null; exit 0' TERM
      sleep "$delay" & nap=$!
      wait "$nap" && kill -USR1 $$ ) &
    KDMC_TIMER=$!
}

kdmc_stop_timer() {
    if [ -n "${KDMC_TIMER:-}" ]; then
        kill "$KDMC_TIMER" 2>/dev/null || true
        KDMC_TIMER=""
    fi
}

# kdmc_job_main RANKS MPIRUN_OPTIONS EXPERIMENT OUT [kdmc run options...]
# MPIRUN_OPTIONS is one word-split string (e.g. "--hostfile /path/nodes").
kdmc_job_main() {
    local ranks=$1 mpirun_options=$2
    shift 2
    if [ $# -lt 2 ]; then
        kdmc_fail "usage: ${KDMC_USAGE:-<script> EXPERIMENT OUT [kdmc run options...]}" 64
    fi
    local experiment=$1 out=$2
    shift 2
    [[ "$ranks" =~ ^[1-9][0-9]*$ ]] || kdmc_fail "rank count '$ranks' is not a positive integer" 64

    kdmc_find_binary
    kdmc_find_mpirun "$ranks"
    if [ "$(id -u)" -eq 0 ]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
    export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

    # A typo in the experiment fails here, as one process, before any rank starts.
    "$KDMC_BIN" validate "$experiment" >&2 || exit $?

    local resume=()
    if compgen -G "$out/checkpoints/*.checkpoint" >/dev/null; then
        kdmc_say "resuming from the checkpoints in $out/checkpoints"
        resume=(--resume)
        local option
        for option in "$@"; do [ "$option" = "--resume" ] && resume=(); done
    fi
    mkdir -p "$out" || kdmc_fail "cannot create the output folder $out"

    local command=("$KDMC_BIN" run "$experiment" --out "$out" "${resume[@]}" "$@")
    if kdmc_pick_srun; then
        # srun passes SIGTERM and SIGUSR1 on to every task and returns their status.
        # shellcheck disable=SC2206  # options are meant to be split into words
        command=(srun --mpi="$KDMC_SRUN_MPI" --ntasks="$ranks" --kill-on-bad-exit=1 ${KDMC_SRUN_OPTIONS:-} "${command[@]}")
    elif [ -n "$KDMC_MPIRUN" ]; then
        # shellcheck disable=SC2206  # options are meant to be split into words
        command=("$KDMC_MPIRUN" -np "$ranks" $mpirun_options ${KDMC_MPIRUN_OPTIONS:-} "${command[@]}")
    fi
    kdmc_say "$ranks ranks: ${command[*]}"
    if [ -n "${KDMC_WALLTIME:-}" ]; then
        local limit
        limit=$(kdmc_seconds "$KDMC_WALLTIME") || kdmc_fail "KDMC_WALLTIME=$KDMC_WALLTIME is not a time (seconds or HH:MM:SS)" 64
        kdmc_start_timer "$limit" "${KDMC_WARN_SECONDS:-120}"
    fi
    kdmc_run_forwarding "${command[@]}"

    local status=$KDMC_STATUS
    # mpirun reports kdmc's status 3; were it killed by the scheduler's own TERM first, the
    # checkpoints written so far still let the job resume.
    if [ "$status" -ne 0 ] && [ "$status" -ne "$KDMC_STOPPED_STATUS" ] && [ -n "$KDMC_SIGNAL" ] \
        && compgen -G "$out/checkpoints/*.checkpoint" >/dev/null; then
        status=$KDMC_STOPPED_STATUS
    fi
    case $status in
        0) kdmc_say "done: outputs in $out" ;;
        4|5) kdmc_say "done: outputs in $out; verdict status $status (4: a verdict other than expected, 5: some inconclusive)" ;;
        "$KDMC_STOPPED_STATUS") kdmc_say "stopped with a checkpoint in $out/checkpoints; submit the same job again to continue" ;;
        *) kdmc_say "kdmc failed with status $status" ;;
    esac
    KDMC_STATUS=$status
    return "$status"
}
