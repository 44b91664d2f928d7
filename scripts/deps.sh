#!/usr/bin/env bash
# Installs the system packages kdmc needs when they are missing.
#   scripts/deps.sh          what building and running need (Open MPI, OpenBLAS, LAPACKE)
#   scripts/deps.sh --test   that, plus what only the tests need: headless Chromium (renders
#                            report.html), a one-node Slurm (slurmctld, slurmd, sbatch, munged)
#                            for the job-script test, iproute2 (network namespaces) and
#                            Python's jsonschema (checks summary.json against its schema)
# On a machine without apt (a cluster), says which modules to load instead; the test-only
# packages are then skipped, and the tests that need them say what is missing.
set -euo pipefail

with_test=0
case "${1:-}" in
    "") ;;
    --test) with_test=1 ;;
    *) echo "usage: scripts/deps.sh [--test]" >&2; exit 64 ;;
esac

missing=()
pkg-config --exists ompi-c  2>/dev/null || missing+=(libopenmpi-dev)
command -v mpirun >/dev/null 2>&1        || missing+=(openmpi-bin)
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
pkg-config --exists lapacke 2>/dev/null  || missing+=(liblapacke-dev)
# SUNDIALS CVODE (the cvode integrator) ships no pkg-config file: look for its header and library.
{ [ -f /usr/include/cvode/cvode.h ] && ldconfig -p 2>/dev/null | grep libsundials_cvode.so >/dev/null; } \
    || missing+=(libsundials-dev)
command -v pkg-config >/dev/null 2>&1    || missing+=(pkg-config)

what="Open MPI, OpenBLAS, LAPACKE and SUNDIALS"
if [ "$with_test" -eq 1 ] && command -v apt-get >/dev/null 2>&1; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    [ -x /usr/sbin/slurmctld ] || command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
    [ -x /usr/sbin/munged ] || command -v munged >/dev/null 2>&1     || missing+=(munge)
    command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    python3 -c 'import jsonschema' 2>/dev/null || missing+=(python3-jsonschema)
    what="$what, and for the tests Chromium, Slurm, munge, iproute2 and Python's jsonschema"
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: $what found"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing ${missing[*]} and no apt-get here." >&2
    echo "deps: on a cluster, load the modules instead, e.g. 'module load openmpi openblas sundials'" >&2
    echo "deps: and make sure pkg-config finds ompi-c, openblas and lapacke (PKG_CONFIG_PATH)." >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "deps: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" pkg-config
