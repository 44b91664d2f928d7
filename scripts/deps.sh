#!/usr/bin/env bash
# Installs the system libraries kdmc needs when pkg-config cannot find them.
# On a machine without apt (a cluster), says which modules to load instead.
set -euo pipefail

missing=()
pkg-config --exists ompi-c  2>/dev/null || missing+=(libopenmpi-dev)
command -v mpirun >/dev/null 2>&1        || missing+=(openmpi-bin)
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
pkg-config --exists lapacke 2>/dev/null  || missing+=(liblapacke-dev)
command -v pkg-config >/dev/null 2>&1    || missing+=(pkg-config)

# For the tests only, installed where apt-get is (elsewhere those tests say what is missing):
# headless Chromium renders report.html, and the Slurm job-script test starts its own
# one-node Slurm (slurmctld, slurmd, sbatch, munged).
if command -v apt-get >/dev/null 2>&1; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    [ -x /usr/sbin/slurmctld ] || command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
    [ -x /usr/sbin/munged ] || command -v munged >/dev/null 2>&1     || missing+=(munge)
    command -v ip >/dev/null 2>&1 || missing+=(iproute2)
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: Open MPI, OpenBLAS and LAPACKE found (and, for the tests, Chromium and Slurm where apt-get is)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing ${missing[*]} and no apt-get here." >&2
    echo "deps: on a cluster, load the modules instead, e.g. 'module load openmpi openblas'" >&2
    echo "deps: and make sure pkg-config finds ompi-c, openblas and lapacke (PKG_CONFIG_PATH)." >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "deps: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" pkg-config
