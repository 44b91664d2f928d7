#!/bin/bash
# The multi-host test (make test-multihost): kdmc under Open MPI with ranks on two "hosts".
#
# Each host is a network namespace with its own host name (UTS namespace) and its own private
# /tmp (a mount namespace with a tmpfs there), joined to the other by a veth pair whose
# addresses this script assigns (10.231.0.1 and .2 on a /24 of their own; nothing else is
# contacted). mpirun runs on host A; Open MPI reaches host B through a launcher agent
# (plm_rsh_agent) that enters B's namespaces instead of ssh, and speaks TCP between them
# (btl tcp,self; oob and btl restricted to the veth subnet). The checks:
#   1. ranks on both hosts give curves.csv byte-identical to a one-host run;
#   2. SIGUSR1 and SIGTERM to mpirun stop the two-host run with a checkpoint;
#   3. killing host B's ranks ends the job non-zero within 10 s;
#   4. resuming on one host ends byte-identical to the one-host run.
# It removes everything it made (namespaces, veths, processes by pid, scratch folder) on exit.
# Needs root, iproute2 (ip) and util-linux (unshare); KDMC names the executable.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
KDMC=${KDMC:-$root/.build/debug/kdmc}
say() { printf 'multihost: %s\n' "$*" >&2; }
# A finished run exits 0, or 4/5 when its verdicts are not all as expected or not all decided:
# this test is about the bytes, not the verdicts.
finished() { [ "$1" -eq 0 ] || [ "$1" -eq 4 ] || [ "$1" -eq 5 ]; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (it creates network namespaces)"
for tool in ip unshare mpirun; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool (iproute2, util-linux, openmpi-bin: make deps)"
done
[ -x "$KDMC" ] || fail "no kdmc at $KDMC (swift build, or set KDMC)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

tag=km$$
A=${tag}a B=${tag}b
subnet=10.231.0
scratch=$(mktemp -d /var/tmp/kdmc-multihost.XXXXXX)
started=()
# Each host sees its own private /tmp, so an executable under /tmp (a checkout there) would not
# exist inside them: run a copy kept in the scratch folder.
cp "$KDMC" "$scratch/kdmc" || fail "cannot copy $KDMC into $scratch"
KDMC=$scratch/kdmc

cleanup() {
    local pid
    for pid in "${started[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    # Anything still running inside the namespaces was started by this test.
    for ns in "$A" "$B"; do
        if ip netns list 2>/dev/null | grep -qw "$ns"; then
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
            ip netns delete "$ns" 2>/dev/null
        fi
    done
    ip link delete "${tag}x" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the two hosts -----------------------------------------------------------------------
ip netns add "$A" && ip netns add "$B" || fail "cannot create network namespaces"
ip link add "${tag}x" type veth peer name "${tag}y" || fail "cannot create a veth pair"
ip link set "${tag}x" netns "$A" && ip link set "${tag}y" netns "$B" || fail "cannot move the veths"
ip -n "$A" addr add "$subnet.1/24" dev "${tag}x"
ip -n "$B" addr add "$subnet.2/24" dev "${tag}y"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set "${tag}x" up
ip -n "$B" link set "${tag}y" up

# On host NAME (A or B): its network namespace, a host name of its own, a private /tmp.
cat > "$scratch/on-host" <<SCRIPT
#!/bin/bash
ns=\$1; name=\$2; shift 2
exec ip netns exec "\$ns" unshare --mount --uts --propagation private /bin/bash -c '
    hostname "\$0" && mount -t tmpfs -o size=256m kdmc-tmp /tmp && exec "\$@"' "\$name" "\$@"
SCRIPT
# The launcher agent Open MPI calls as "agent HOST COMMAND..." (ssh's form): the command is a
# shell line, run on host B.
cat > "$scratch/agent" <<SCRIPT
#!/bin/bash
host=\$1; shift
[ "\$host" = "$subnet.2" ] || { echo "agent: unknown host \$host" >&2; exit 1; }
exec "$scratch/on-host" "$B" kdmc-host-b /bin/sh -c "\$*"
SCRIPT
chmod +x "$scratch/on-host" "$scratch/agent"
printf '%s slots=2\n%s slots=2\n' "$subnet.1" "$subnet.2" > "$scratch/hostfile"

ip -n "$A" -br addr show "${tag}x" | grep -q "$subnet.1" || fail "host A has no address on the veth"

# --- the experiment -------------------------------------------------------------------------
experiment=$scratch/multihost.json
cat > "$experiment" <<'JSON'
{
  "suite": "multihost",
  "description": "Two experiments, small blocks: long enough to be stopped part-way.",
  "experiments": [
    {"name": "gaussian", "geometry": "gaussian", "d": 12, "n": [1, 2, 4, 8, 12, 16],
     "students": ["linear"], "solver": "closed", "stopping": {"trials": TRIALS_A}, "block_size": 8, "seed": 5},
    {"name": "margin", "geometry": {"kind": "margin", "theta0": 0.3}, "d": 50,
     "n": [1, 5, 10, 20], "students": ["linear"], "solver": "closed",
     "stopping": {"trials": TRIALS_B}, "block_size": 8, "seed": 6}
  ]
}
JSON
sed -i "s/TRIALS_A/${KDMC_MULTIHOST_TRIALS:-8192}/; s/TRIALS_B/${KDMC_MULTIHOST_TRIALS:-8192}/" "$experiment"
"$KDMC" validate "$experiment" >&2 || fail "the test experiment is invalid"

mpi_two_hosts=(mpirun --hostfile "$scratch/hostfile" -np 4 --oversubscribe
    --mca plm_rsh_agent "$scratch/agent" --mca btl tcp,self
    --mca btl_tcp_if_include "$subnet.0/24" --mca oob_tcp_if_include "$subnet.0/24"
    -x OPENBLAS_NUM_THREADS -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM)

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

# Starts "$@" on host A in the background; sets RUN_PID.
start_on_a() {
    local log=$1; shift
    "$scratch/on-host" "$A" kdmc-host-a "$@" >"$log" 2>&1 &
    RUN_PID=$!
    started+=("$RUN_PID")
}

# Waits for RUN_PID up to $1 seconds; sets RUN_STATUS (or fails on a hang).
wait_run() {
    local limit=$1 t0
    t0=$(now)
    while kill -0 "$RUN_PID" 2>/dev/null; do
        if awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
            kill -KILL "$RUN_PID" 2>/dev/null
            fail "the run did not end within $limit s (see $2)"
        fi
        sleep 0.05
    done
    wait "$RUN_PID"
    RUN_STATUS=$?
}

# Waits until a checkpoint of the run in $1 exists (the run is under way), at most 120 s.
wait_for_trials() {
    local i
    for i in $(seq 1 1200); do
        compgen -G "$1/checkpoints/*.checkpoint" >/dev/null && return 0
        grep -q 'trials/s' "$2" 2>/dev/null && [ "$i" -gt 20 ] && return 0
        kill -0 "$RUN_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# --- 1. one host, then two hosts ---------------------------------------------------------------
say "one-host reference run (mpirun -np 2 on host A)"
start_on_a "$scratch/ref.log" mpirun -np 2 --oversubscribe "$KDMC" run "$experiment" --out "$scratch/ref"
wait_run 600 "$scratch/ref.log"
finished "$RUN_STATUS" || { cat "$scratch/ref.log" >&2; fail "the one-host run failed ($RUN_STATUS)"; }
REF_STATUS=$RUN_STATUS

say "two-host run (2 ranks on host A, 2 on host B)"
start_on_a "$scratch/two.log" "${mpi_two_hosts[@]}" "$KDMC" run "$experiment" --out "$scratch/two"
wait_run 600 "$scratch/two.log"
[ "$RUN_STATUS" -eq "$REF_STATUS" ] || { cat "$scratch/two.log" >&2; fail "the two-host run ended $RUN_STATUS, the one-host run $REF_STATUS"; }
cmp -s "$scratch/ref/curves.csv" "$scratch/two/curves.csv" || fail "curves.csv of the two-host run differs from the one-host run"
grep -q '"ranks" : 4' "$scratch/two/summary.json" || fail "summary.json of the two-host run does not say 4 ranks"
if grep -q '"hosts"' "$scratch/two/summary.json"; then
    grep -q 'kdmc-host-a' "$scratch/two/summary.json" && grep -q 'kdmc-host-b' "$scratch/two/summary.json" \
        || fail "summary.json does not name both hosts"
fi
say "ok: two-host curves.csv is byte-identical to the one-host run"

# --- 2. signals to mpirun across hosts ---------------------------------------------------------
for signal in USR1 TERM; do
    out=$scratch/signal-$signal
    start_on_a "$out.log" "${mpi_two_hosts[@]}" "$KDMC" run "$experiment" --out "$out"
    wait_for_trials "$out" "$out.log" || { cat "$out.log" >&2; fail "the run to stop with SIG$signal did not start"; }
    mpirun_pid=$(pgrep -P "$(pgrep -P "$RUN_PID" | head -n 1)" -x mpirun 2>/dev/null || true)
    [ -n "$mpirun_pid" ] || mpirun_pid=$(ip netns pids "$A" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = mpirun ] && echo "$p"; done | head -n 1)
    [ -n "$mpirun_pid" ] || fail "cannot find mpirun's pid"
    t0=$(now)
    kill "-$signal" "$mpirun_pid"
    wait_run 30 "$out.log"
    t1=$(now)
    compgen -G "$out/checkpoints/*.checkpoint" >/dev/null || { cat "$out.log" >&2; fail "SIG$signal to mpirun left no checkpoint"; }
    grep -q "stopped on request" "$out.log" || { cat "$out.log" >&2; fail "SIG$signal: kdmc did not say it stopped on request"; }
    say "ok: SIG$signal to mpirun: status $RUN_STATUS, checkpoint written, $(elapsed "$t0" "$t1") s from the signal to the end"
    if [ "$signal" = USR1 ]; then
        [ "$RUN_STATUS" -eq 3 ] || fail "SIGUSR1 to mpirun: status $RUN_STATUS, expected 3"
    fi
done

# --- 3. the remote host's ranks die ------------------------------------------------------------
# The SIGUSR1-stopped run, resumed on both hosts and killed part-way.
out=$scratch/killed
cp -r "$scratch/signal-USR1" "$out" || fail "cannot copy the stopped run"
start_on_a "$out.log" "${mpi_two_hosts[@]}" "$KDMC" run "$experiment" --out "$out" --resume
remote=()
for i in $(seq 1 600); do
    mapfile -t remote < <(ip netns pids "$B" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = kdmc ] && echo "$p"; done)
    [ "${#remote[@]}" -ge 2 ] && break
    kill -0 "$RUN_PID" 2>/dev/null || break
    sleep 0.1
done
[ "${#remote[@]}" -ge 2 ] || { cat "$out.log" >&2; fail "no kdmc ranks appeared on host B"; }
sleep 1
t0=$(now)
kill -KILL "${remote[@]}"
wait_run 30 "$out.log"
t1=$(now)
[ "$RUN_STATUS" -ne 0 ] || fail "killing host B's ranks did not fail the job"
took=$(elapsed "$t0" "$t1")
awk -v t="$took" 'BEGIN { exit !(t <= 10) }' || fail "the job took $took s to end after host B's ranks were killed (limit 10 s)"
say "ok: killing host B's ranks ended the job with status $RUN_STATUS in $took s"

# --- 4. resume on one host ---------------------------------------------------------------------
start_on_a "$out.resume.log" mpirun -np 2 --oversubscribe "$KDMC" run "$experiment" --out "$out" --resume
wait_run 600 "$out.resume.log"
[ "$RUN_STATUS" -eq "$REF_STATUS" ] || { cat "$out.resume.log" >&2; fail "resuming on one host ended $RUN_STATUS, the one-host run $REF_STATUS"; }
cmp -s "$scratch/ref/curves.csv" "$out/curves.csv" || fail "curves.csv after the kill and a one-host resume differs from the one-host run"
say "ok: resumed on one host, curves.csv byte-identical to the one-host run"
say "passed"
