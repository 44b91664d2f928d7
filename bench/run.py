#!/usr/bin/env python3
"""Runs kdmc's benchmark workloads and the NumPy/SciPy comparator under the same mpirun, and
prints one table plus both curves side by side (see bench/README.md). Invoked by `make bench`.

Each workload runs in its own process (peak memory is per process lifetime): first
`mpirun -np NP kdmc bench W ...`, then `mpirun -np NP python3 bench/comparator.py W ...`.
Raw results go to runs/bench/results.json.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# (label, workload, solver, ranks (None = NP), kdmc trials, comparator trials, euler draws)
# Comparator trials 0: no comparator run (its curve is taken from the row named in `reuse`).
def plan(np_ranks, w3_comparator):
    return [
        dict(label="W1", workload="W1", solver="closed", ranks=np_ranks, trials=256, comparator=32),
        dict(label="W1@1", workload="W1", solver="closed", ranks=1, trials=1024, comparator=16),
        dict(label="W1@2", workload="W1", solver="closed", ranks=2, trials=1024, comparator=16),
        dict(label="W2", workload="W2", solver="closed", ranks=np_ranks, trials=256 if gram_available() else 8,
             comparator=2 * np_ranks),
        dict(label="W3", workload="W3", solver="closed", ranks=np_ranks, trials=256 if gram_available() else 2,
             comparator=np_ranks if w3_comparator else 0),
        dict(label="W4", workload="W4", solver="closed", ranks=np_ranks, trials=8, comparator=2 * np_ranks),
        dict(label="W1 flow", workload="W1", solver="flow", ranks=np_ranks, trials=2, comparator=0,
             euler=2, reuse="W1"),
        dict(label="W2 flow", workload="W2", solver="flow", ranks=np_ranks, trials=2, comparator=0,
             euler=2, reuse="W2"),
        dict(label="S1 flow", workload="S1", solver="flow", ranks=np_ranks, trials=8, comparator=8, euler=2),
        # The same flows by the other integrators (W2: Dormand–Prince and CVODE in e do not finish
        # a trial in minutes, see bench/README.md, so they have no row).
        dict(label="W1 flow dp", workload="W1", solver="flow", integrator="dormand-prince", ranks=np_ranks,
             trials=2, comparator=0, reuse="W1"),
        dict(label="W1 flow cvode", workload="W1", solver="flow", integrator="cvode", ranks=np_ranks,
             trials=2, comparator=0, reuse="W1"),
        dict(label="S1 flow dp", workload="S1", solver="flow", integrator="dormand-prince", ranks=np_ranks,
             trials=2, comparator=0, reuse="S1 flow"),
        dict(label="S1 flow cvode", workload="S1", solver="flow", integrator="cvode", ranks=np_ranks,
             trials=2, comparator=0, reuse="S1 flow"),
        # Issue 19: kdmc against the NumPy implementation of its own algorithm (comparator.py
        # --mode gram), instructions per trial from callgrind, and 2-rank scaling on W3.
        dict(label="W1 gram", workload="W1", solver="closed", ranks=np_ranks, trials=256, comparator=64,
             mode="gram", callgrind=(8, 24)),
        dict(label="W2 gram", workload="W2", solver="closed", ranks=np_ranks, trials=1024, comparator=512,
             mode="gram", callgrind=(64, 192)),
        dict(label="W3 gram", workload="W3", solver="closed", ranks=np_ranks, trials=1024, comparator=512,
             mode="gram", callgrind=(64, 192)),
        dict(label="W3@1", workload="W3", solver="closed", ranks=1, trials=4096, comparator=0),
        dict(label="W3@2", workload="W3", solver="closed", ranks=2, trials=4096, comparator=0),
        # The control variate against plain Monte Carlo on the same workload (issue 18).
        dict(label="V4", workload="V4", solver="closed", ranks=np_ranks, trials=2048, comparator=512,
             mode="gram", estimator=True),
        dict(label="V4cv", workload="V4cv", solver="closed", ranks=np_ranks, trials=2048, comparator=0, estimator=True),
        dict(label="V6", workload="V6", solver="closed", ranks=np_ranks, trials=2048, comparator=512,
             mode="gram", estimator=True),
        dict(label="V6cv", workload="V6cv", solver="closed", ranks=np_ranks, trials=2048, comparator=0, estimator=True),
        # The importance estimator against plain Monte Carlo on margin θ0 = 0.2, n = 1…20 (issue 18),
        # 10^5 trials at d = 100, then d = 1000 and 10^4.
        dict(label="M2", workload="M2", solver="closed", ranks=np_ranks, trials=100_000, comparator=0, estimator=True),
        dict(label="M2is", workload="M2is", solver="closed", ranks=np_ranks, trials=100_000, comparator=0, estimator=True),
        dict(label="M3", workload="M3", solver="closed", ranks=np_ranks, trials=100_000, comparator=0, estimator=True),
        dict(label="M3is", workload="M3is", solver="closed", ranks=np_ranks, trials=100_000, comparator=0, estimator=True),
        dict(label="M4", workload="M4", solver="closed", ranks=np_ranks, trials=100_000, comparator=0, estimator=True),
        dict(label="M4is", workload="M4is", solver="closed", ranks=np_ranks, trials=100_000, comparator=0, estimator=True),
        # Deep linear students (no comparator): the deep-linear preset's experiment at d = 30
        # (ambient) and the large-d row (depth 3, widths 32, d = 10^5, Gram sampler).
        dict(label="D30 flow", workload="D30", solver="flow", ranks=np_ranks, trials=8, comparator=0),
        dict(label="D1 flow", workload="D1", solver="flow", ranks=np_ranks, trials=16, comparator=0),
        # The same deep flows by CVODE's BDF with matrix-free GMRES (`--integrator cvode`).
        dict(label="D30 flow cvode", workload="D30", solver="flow", integrator="cvode", ranks=np_ranks, trials=4,
             comparator=0),
        dict(label="D1 flow cvode", workload="D1", solver="flow", integrator="cvode", ranks=np_ranks, trials=4,
             comparator=0),
        # The stiff deep flows: margin θ0 = 0.2, unit radius, d = 10^5 (Dormand–Prince, at its
        # stability limit, does not finish a random start there, so only CVODE has a row).
        dict(label="D1m flow cvode", workload="D1m", solver="flow", integrator="cvode", ranks=np_ranks, trials=16,
             comparator=0),
    ]


def gram_available():
    """True when this kdmc build has the Gram-space sampler (branch gram)."""
    return os.path.exists(os.path.join(ROOT, "Sources/Distillation/Geometry/GramSampler.swift")) or any(
        "Gram" in f for _, _, files in os.walk(os.path.join(ROOT, "Sources")) for f in files)


def mpirun(np_ranks, command):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    full = ["mpirun", "--oversubscribe", "-np", str(np_ranks)] + command
    started = time.time()
    done = subprocess.run(full, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(full)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return parse_result(done.stdout), time.time() - started


def parse_result(stdout):
    """The last line of stdout that is a JSON object (rank 0 prints exactly one)."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            result = json.loads(line)
            for key in ("tool", "workload", "ranks", "trials", "trials_per_second", "seconds_per_trial",
                        "peak_rss_mb", "curve"):
                if key not in result:
                    raise ValueError(f"benchmark result lacks {key!r}: {line[:200]}")
            return result
    raise ValueError("no JSON result line in the output:\n" + stdout[-2000:])


def callgrind_instructions_per_trial(kdmc, workload, trial_counts):
    """Instructions per trial of `kdmc bench` on one rank (no mpirun), by callgrind: the
    difference between two trial counts, so start-up and setup cancel. Repeatable on a loaded
    machine, unlike the times."""
    counts = []
    os.makedirs(os.path.join(ROOT, "runs/bench"), exist_ok=True)
    for trials in trial_counts:
        out = os.path.join(ROOT, "runs/bench", f"callgrind.{workload}.{trials}.out")
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", kdmc, "bench", workload,
                               "--trials", str(trials)], cwd=ROOT, capture_output=True, text=True,
                              env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        if done.returncode != 0:
            raise RuntimeError(f"callgrind of kdmc bench {workload} failed ({done.returncode}):\n{done.stderr[-1000:]}")
        collected = [line for line in done.stderr.splitlines() if "Collected :" in line]
        if not collected:
            raise RuntimeError("callgrind printed no instruction count")
        counts.append(int(collected[-1].split(":")[-1].strip().replace(",", "")))
        os.remove(out)
    return (counts[1] - counts[0]) / (trial_counts[1] - trial_counts[0])


def w3_comparator_memory(np_ranks):
    """Bytes per rank the comparator needs on W3: the 200 x 10^6 points, lstsq's copy of them
    and its workspace of about the same size."""
    need = 3 * 8 * 200 * 1_000_000
    available = None
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    return need, available


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if abs(x) >= 1000 or (abs(x) < 1e-3 and x != 0):
        return f"{x:.2e}"
    return f"{x:.{digits}g}"


def judge(rows_by_label, row):
    """(target text, verdict) of a row."""
    k, c = row["kdmc"], row.get("comparator")
    label = row["label"]
    if label == "W1":
        return "≥ 10×", verdict(row.get("ratio"), 10)
    if label == "W2":
        return "≥ 200×", verdict(row.get("ratio"), 200)
    if label == "W4":
        return "≥ 2×", verdict(row.get("ratio"), 2)
    if label == "W3":
        w1 = rows_by_label.get("W1")
        if not w1:
            return "-", "-"
        limit = 1.5 * w1["kdmc"]["seconds_per_trial"]
        fits = max(k["peak_rss_mb"]) < 200
        ok = k["seconds_per_trial"] <= limit and fits
        return f"s/trial ≤ {fmt(limit)} (1.5×W1), < 200 MB", "PASS" if ok else "MISS"
    if label.startswith("W1 flow") or label.startswith("W2 flow"):
        closed = rows_by_label.get(label[:2])
        if not closed:
            return "-", "-"
        bound = 10 if label.startswith("W1") else 50
        times = k["cpu_seconds_per_trial"] / closed["kdmc"]["cpu_seconds_per_trial"]
        row["cpu_times_closed"] = times
        converged = all(p["mean"] == 1 for p in k.get("converged") or [])
        gap = max((p["mean"] for p in k.get("limit_gap") or []), default=float("nan"))
        ok = times <= bound and converged and gap <= 1e-6
        return f"cpu ≤ {bound}× closed (got {times:.0f}×), limit gap ≤ 1e-6 (got {gap:.1e})", "PASS" if ok else "MISS"
    if label in ("W1@2", "W3@2"):
        one = rows_by_label.get(label.replace("@2", "@1"))
        if not one:
            return "-", "-"
        speedup = k["trials_per_second"] / one["kdmc"]["trials_per_second"]
        row["speedup"] = speedup
        return f"2 ranks ≥ 1.9× 1 rank (got {speedup:.2f}×)", "PASS" if speedup >= 1.9 else "MISS"
    if label == "D1m flow cvode":
        gaps = [p["mean"] for s in k.get("deep") or [] for p in (s.get("limit_gap") or [])]
        converged = min((p["mean"] for s in k.get("deep") or [] for p in s["converged"]), default=float("nan"))
        l2 = bool(gaps) and max(gaps) < 1e-6 and converged == 1
        return f"L2 (limit gap ≤ 1e-6, all converged): {'yes' if l2 else 'NO'}", "PASS" if l2 else "MISS"
    if label == "D1 flow":
        base = rows_by_label.get("D30 flow")
        gaps = [p["mean"] for s in k.get("deep") or [] for p in (s.get("limit_gap") or [])]
        converged = min((p["mean"] for s in k.get("deep") or [] for p in s["converged"]), default=float("nan"))
        l2 = bool(gaps) and max(gaps) < 1e-6 and converged == 1
        if not base:
            return f"L2 (limit gap ≤ 1e-6, all converged): {'yes' if l2 else 'NO'}", "PASS" if l2 else "MISS"
        speedup = base["kdmc"]["cpu_seconds_per_trial"] / k["cpu_seconds_per_trial"]
        row["speedup"] = speedup
        return (f"cpu/tr ≥ 10× faster than D30 (got {speedup:.1f}×), L2 {'holds' if l2 else 'FAILS'}",
                "PASS" if speedup >= 10 and l2 else "MISS")
    if row.get("mode") == "gram":
        cpu = (c or {}).get("cpu_seconds_per_trial")
        ratio = cpu / k["cpu_seconds_per_trial"] if cpu and k.get("cpu_seconds_per_trial") else None
        row["cpu_ratio"] = ratio
        target, ok = f"CPU ≥ 3× gram peer (got {fmt(ratio)}×)", ratio is not None and ratio >= 3
        if label == "W3 gram":
            instructions = row.get("instructions_per_trial")
            target += f", ≤ 3 M instr/trial (got {fmt(instructions / 1e6 if instructions else None)} M)"
            ok = ok and instructions is not None and instructions <= 3e6
        if label == "W1 gram":
            return f"(no target; CPU ratio {fmt(ratio)}×)", "-"
        return target, "PASS" if ok else "MISS"
    if label.startswith("S1 flow ") and not k.get("euler"):
        converged = all(p["mean"] == 1 for p in k.get("converged") or [])
        gap = max((p["mean"] for p in k.get("limit_gap") or []), default=float("nan"))
        return f"(no target; all converged: {'yes' if converged else 'NO'}, max limit gap {gap:.1e})", "-"
    if k.get("euler"):
        total_euler = sum(e["euler_gradient_evaluations"] * e["draws"] for e in k["euler"])
        total_flow = sum(e["flow_gradient_evaluations"] * e["draws"] for e in k["euler"])
        ratio = total_euler / total_flow if total_flow else float("nan")
        row["euler_ratio"] = ratio
        bound = "" if all(e["euler_reached_all"] for e in k["euler"]) else "≥ "
        return f"Euler/flow grad evals ≥ 10 (got {bound}{fmt(ratio)})", verdict(ratio, 10)
    return "-", "-"


def verdict(value, target):
    if value is None or not math.isfinite(value):
        return "n/a"
    return "PASS" if value >= target else "MISS"


def print_table(rows):
    by_label = {r["label"]: r for r in rows}
    header = ["workload", "solver", "ranks", "trials k/c", "kdmc tr/s", "cmp tr/s", "ratio",
              "kdmc s/tr", "cmp s/tr", "kdmc cpu/tr", "cmp cpu/tr", "kdmc instr/tr", "kdmc MB/rk", "cmp MB/rk",
              "target", "result"]
    lines = []
    for r in rows:
        k, c = r["kdmc"], r.get("comparator")
        target, result = judge(by_label, r)
        lines.append([
            r["label"], r["solver"], str(k["ranks"]),
            f"{k['trials']}/{c['trials'] if c else '-'}",
            fmt(k["trials_per_second"]), fmt(c["trials_per_second"]) if c else "-",
            fmt(r.get("ratio")) if r.get("ratio") else "-",
            fmt(k["seconds_per_trial"]), fmt(c["seconds_per_trial"]) if c else "-",
            fmt(k.get("cpu_seconds_per_trial")), fmt(c.get("cpu_seconds_per_trial")) if c else "-",
            fmt(r.get("instructions_per_trial")),
            fmt(max(k["peak_rss_mb"]), 4), fmt(max(c["peak_rss_mb"]), 4) if c else r.get("comparator_note", "-"),
            target, result])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for l in lines:
        print("  ".join(v.ljust(w) for v, w in zip(l, widths)))


def agree(a, b):
    """Means differ by no more than the two half-widths combined in quadrature."""
    ha = (a["ci_high"] - a["ci_low"]) / 2
    hb = (b["ci_high"] - b["ci_low"]) / 2
    if not (math.isfinite(ha) and math.isfinite(hb)):
        return "?"
    return "ok" if abs(a["mean"] - b["mean"]) <= math.hypot(ha, hb) + 1e-12 else "DIFFER"


def print_curves(rows):
    by_label = {r["label"]: r for r in rows}
    for r in rows:
        k = r["kdmc"]
        c = r.get("comparator") or (by_label.get(r.get("reuse"), {}).get("comparator"))
        source = "" if r.get("comparator") else (f" (comparator of row {r['reuse']})" if c else "")
        print(f"\n{r['label']} ({r['solver']}, {k['ranks']} rank(s), kdmc sampler {k.get('sampler', '?')}): risk, mean [95% CI]{source}")
        print(f"  {'n':>6}  {'kdmc':<36}  {'comparator':<36}  agree")
        cmp_by_n = {p["n"]: p for p in c["curve"]} if c else {}
        for p in k["curve"]:
            q = cmp_by_n.get(p["n"])
            left = f"{p['mean']:.5f} [{p['ci_low']:.5f}, {p['ci_high']:.5f}]"
            right = f"{q['mean']:.5f} [{q['ci_low']:.5f}, {q['ci_high']:.5f}]" if q else "-"
            print(f"  {p['n']:>6}  {left:<36}  {right:<36}  {agree(p, q) if q else '-'}")
        if k.get("euler"):
            print(f"  flow (RODAS4) vs fixed-step Euler at 0.99 x 2/L, to the flow's distance from the closed form:")
            print(f"  {'n':>6}  {'draws':>5}  {'distance':>9}  {'flow grads':>10}  {'flow Hess':>9}  {'flow s':>8}  "
                  f"{'Euler grads':>11}  {'Euler s':>8}  {'Euler/flow':>10}")
            for e in k["euler"]:
                print(f"  {e['n']:>6}  {e['draws']:>5}  {e['target_distance']:>9.2e}  {e['flow_gradient_evaluations']:>10.1f}  "
                      f"{e['flow_hessian_evaluations']:>9.1f}  {e['flow_seconds']:>8.3f}  {e['euler_gradient_evaluations']:>11.1f}  "
                      f"{e['euler_seconds']:>8.3f}  {('≥' if not e['euler_reached_all'] else '') + format(e['ratio'], '.3g'):>10}{'' if e['euler_reached_all'] else '  (Euler stopped at its budget of 20 x the flow gradient evaluations: a lower bound)'}")
        for deep in k.get("deep") or []:
            gaps = ", ".join(f"n={p['n']}: {p['mean']:.1e}" for p in deep.get("limit_gap") or [])
            off = ", ".join(f"n={p['n']}: {p['mean']:.3g}" for p in deep["off_span"])
            ge = ", ".join(f"n={p['n']}: {p['mean']:.0f}" for p in deep["gradient_evaluations"])
            conv = min(p["mean"] for p in deep["converged"])
            print(f"  {deep['label']}: gradient evaluations per flow {ge}; converged fraction (min over n) {conv:.3g}")
            print(f"    {'limit gap to P w* ' + gaps + '; ' if gaps else ''}off-span norm {off}")
        if k.get("gradient_evaluations"):
            ge = ", ".join(f"n={p['n']}: {p['mean']:.0f}" for p in k["gradient_evaluations"])
            conv = min(p["mean"] for p in k["converged"]) if k.get("converged") else float("nan")
            print(f"  engine: gradient evaluations per flow {ge}; converged fraction (min over n) {conv:.3g}")


def limit_errors(k):
    """The limit term's quadrature error estimate per n (0 where the limit term is sampled)."""
    return {v["n"]: v.get("limit_term_error") or 0.0 for v in k.get("variance_reduction") or []}


def time_to_target(k, relative=0.01):
    """CPU seconds (summed over ranks) to reach `relative` half-width at every n: the run's fixed
    setup CPU (which holds the control variate's quadrature) plus the trials needed, from the
    run's half-widths (which shrink like 1/sqrt(trials)) and its CPU seconds per trial. A
    quadrature error estimate e adds to the half-width and does not shrink: the statistical part
    must reach relative*mean - e."""
    worst = 0.0
    errors = limit_errors(k)
    for p in k["curve"]:
        half = (p["ci_high"] - p["ci_low"]) / 2
        room = relative * p["mean"] - errors.get(p["n"], 0.0)
        if not (p["mean"] > 0 and math.isfinite(half)) or room <= 0:
            return float("nan")
        worst = max(worst, k["trials"] * (half / room) ** 2)
    return (k.get("setup_cpu_seconds") or 0.0) + worst * k["cpu_seconds_per_trial"]


def print_estimators(rows):
    """Plain against control-variate rows of the same workload (V4 / V4cv, V6 / V6cv)."""
    by_label = {r["label"]: r for r in rows}
    for plain_label in ("V4", "V6"):
        p, c = by_label.get(plain_label), by_label.get(plain_label + "cv")
        if not (p and c):
            continue
        kp, kc = p["kdmc"], c["kdmc"]
        tp, tc = time_to_target(kp), time_to_target(kc)
        print(f"\n{plain_label} plain vs control-variate (poly-tail κ = 2, d = {kp['d']}, closed form; "
              f"cpu/trial {fmt(kp['cpu_seconds_per_trial'])} vs {fmt(kc['cpu_seconds_per_trial'])} s; "
              f"setup CPU {fmt(kp.get('setup_cpu_seconds'))} vs {fmt(kc.get('setup_cpu_seconds'))} s, summed over ranks):")
        print(f"  CPU seconds to 1% relative half-width at every n: plain {fmt(tp)}, control-variate {fmt(tc)}, "
              f"ratio {fmt(tp / tc) if tc > 0 else '-'} (target ≥ 100: {verdict(tp / tc if tc > 0 else None, 100)})")
        peer = p.get("comparator")
        if peer:
            # The NumPy gram peer runs plain Monte Carlo on the same workload: its CPU to 1% from
            # its own half-widths and CPU per trial, the same way.
            tn = time_to_target(peer)
            print(f"  beside the NumPy gram peer's plain Monte Carlo ({peer['trials']} trials, cpu/trial "
                  f"{fmt(peer['cpu_seconds_per_trial'])} s): {fmt(tn)} CPU s to 1%, "
                  f"ratio to control-variate {fmt(tn / tc) if tc > 0 else '-'}")
        cv_by_n = {q["n"]: q for q in kc["curve"]}
        reductions = {v["n"]: v for v in kc.get("variance_reduction") or []}
        trial_target = 1000 if kp["d"] <= 10_000 else 100_000
        errors = limit_errors(kc)
        def total_cpu(k):
            return (k.get("setup_cpu_seconds") or 0.0) + k["cpu_seconds_per_trial"] * k["trials"]
        print(f"  {'n':>5}  {'plain mean':>11}  {'cv mean':>11}  {'Var(R)/Var(Y)':>13}  {'Var(R)/Var(R-Rinf)':>18}  {'limit err/mean':>14}  {'narrower at equal CPU':>21}")
        narrowest = float("inf")
        smallest = float("inf")
        for q in kp["curve"]:
            r = cv_by_n.get(q["n"])
            if not r:
                continue
            error = errors.get(q["n"], 0.0)
            hp, hc = (q["ci_high"] - q["ci_low"]) / 2, (r["ci_high"] - r["ci_low"]) / 2 + error
            # Half-widths at equal CPU time: h·sqrt(CPU of the run, setup included); the
            # control variate's half-width includes its quadrature error estimate.
            ratio = (hp * math.sqrt(total_cpu(kp))) / (hc * math.sqrt(total_cpu(kc)))
            narrowest = min(narrowest, ratio)
            v = reductions.get(q["n"], {})
            smallest = min(smallest, v.get("trial_term", float("nan")))
            print(f"  {q['n']:>5}  {q['mean']:>11.4e}  {r['mean']:>11.4e}  {fmt(v.get('estimate')):>13}  "
                  f"{fmt(v.get('trial_term')):>18}  {fmt(error / r['mean'] if r['mean'] > 0 else None):>14}  {fmt(ratio):>21}  {agree(q, r)}")
        print(f"  smallest trial-term reduction {fmt(smallest)} (target ≥ {trial_target}: {verdict(smallest, trial_target)}); "
              f"smallest narrowing at equal CPU {fmt(narrowest)} (target ≥ 10 at d = 10^4: {verdict(narrowest, 10) if kp['d'] <= 10_000 else 'n/a'})")


def print_importance(rows):
    """Plain against importance rows of the same margin workload (M2 / M2is, M3 / M3is, M4 / M4is):
    relative half-width at every n, and plain's half-width over importance's at equal trials,
    both absolute and relative to each estimator's own mean (where plain's draws almost never
    reach the event, its sample variance and mean are both far too small, so its absolute
    interval is narrow and misses the importance estimate: the `covers` column)."""
    by_label = {r["label"]: r for r in rows}
    for plain_label in ("M2", "M3", "M4"):
        p, q = by_label.get(plain_label), by_label.get(plain_label + "is")
        if not q:
            continue
        kq = q["kdmc"]
        kp = p["kdmc"] if p else None
        print(f"\n{plain_label} plain vs importance (margin θ0 = 0.2, d = {kq['d']}, closed form; "
              f"importance {kq['trials']} trials, cpu/trial {fmt(kq['cpu_seconds_per_trial'])} s"
              + (f"; plain {kp['trials']} trials, cpu/trial {fmt(kp['cpu_seconds_per_trial'])} s" if kp else "; no plain row") + "):")
        plain_by_n = {x["n"]: x for x in kp["curve"]} if kp else {}
        print(f"  {'n':>3}  {'importance mean':>15}  {'rel. hw':>8}  {'plain mean':>11}  {'plain rel. hw':>13}  "
              f"{'hw ratio':>9}  {'rel. hw ratio':>13}  covers")
        worst_precise, worst_ratio, worst_relative = 0.0, float("inf"), float("inf")
        for x in kq["curve"]:
            hq = (x["ci_high"] - x["ci_low"]) / 2
            rq = hq / x["mean"] if x["mean"] > 0 else float("inf")
            if x["mean"] >= 1e-12:
                worst_precise = max(worst_precise, rq)
            y = plain_by_n.get(x["n"])
            cells = ["-", "-", "-", "-", "-"]
            if y:
                hp = (y["ci_high"] - y["ci_low"]) / 2
                scale = math.sqrt(kp["trials"] / kq["trials"])   # plain's half-width at the importance row's trials
                ratio = hp * scale / hq if hq > 0 else float("nan")
                relative = (hp * scale / y["mean"]) / rq if y["mean"] > 0 and rq > 0 else float("inf")
                covers = y["ci_low"] <= x["mean"] <= y["ci_high"]
                cells = [f"{y['mean']:.4e}", fmt(hp / y["mean"]) if y["mean"] > 0 else "mean 0", fmt(ratio),
                         fmt(relative), "yes" if covers else "NO"]
                if x["mean"] < 1e-6:
                    worst_ratio = min(worst_ratio, ratio)
                    worst_relative = min(worst_relative, relative)
            print(f"  {x['n']:>3}  {x['mean']:>15.4e}  {fmt(rq):>8}  {cells[0]:>11}  {cells[1]:>13}  {cells[2]:>9}  {cells[3]:>13}  {cells[4]}")
        print(f"  largest relative half-width where E[R_n] ≥ 1e-12: {fmt(worst_precise)} "
              f"(target ≤ 0.1 within 10^5 trials: {'PASS' if kq['trials'] <= 100_000 and worst_precise <= 0.1 else 'MISS'})")
        # CPU to 1% at every n where E[R_n] ≥ 1e-12 (the range), the same estimate as for
        # the control variate; plain Monte Carlo, whose mean there is 0 or far too small, has none.
        ti = time_to_target(dict(kq, curve=[x for x in kq["curve"] if x["mean"] >= 1e-12]))
        tp = time_to_target(dict(kp, curve=[x for x in kp["curve"] if x["n"] in {y["n"] for y in kq["curve"] if y["mean"] >= 1e-12}])) if kp else float("nan")
        print(f"  CPU seconds to 1% relative half-width at every n with E[R_n] ≥ 1e-12: importance {fmt(ti)}, "
              f"plain {fmt(tp) if math.isfinite(tp) else 'never (a mean of 0 or an interval wider than its mean)'}"
              + (f", ratio {fmt(tp / ti)}" if math.isfinite(tp) and ti > 0 else ""))
        if kp and math.isfinite(worst_relative):
            print(f"  where E[R_n] < 1e-6, smallest narrowing at equal trials: relative half-widths {fmt(worst_relative)} "
                  f"(target ≥ 10: {verdict(worst_relative, 10)}), absolute half-widths {fmt(worst_ratio)} "
                  f"(plain's intervals that miss the estimate are narrow because plain never sampled the event)")


def main():
    parser = argparse.ArgumentParser(description="kdmc benchmark driver")
    parser.add_argument("--np", type=int, default=int(os.environ.get("NP", "2")))
    parser.add_argument("--kdmc", default=os.path.join(ROOT, ".build/release/kdmc"))
    parser.add_argument("--only", help="comma-separated row labels to run (e.g. W1,W2)")
    parser.add_argument("--out", default=os.path.join(ROOT, "runs/bench/results.json"))
    args = parser.parse_args()

    need, available = w3_comparator_memory(args.np)
    w3_env = os.environ.get("BENCH_W3_COMPARATOR")
    w3_comparator = w3_env == "1"
    w3_note = (f"W3 comparator: needs ≈{need / 2**30:.1f} GiB per rank (200 × 10^6 doubles = 1.5 GiB of points, "
               f"lstsq's copy and workspace); {'MemAvailable ' + format(available / 2**30, '.1f') + ' GiB' if available else 'memory unknown'} "
               f"for {args.np} rank(s), so it {'would fit' if available and need * args.np < available else 'does NOT fit'}; "
               + ("running it (BENCH_W3_COMPARATOR=1)." if w3_comparator else
                  "skipped by default (≈10× W2's time per trial; set BENCH_W3_COMPARATOR=1 to run it)."))
    rows = plan(args.np, w3_comparator)
    if args.only:
        wanted = set(args.only.split(","))
        rows = [r for r in rows if r["label"] in wanted]

    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    print(f"kdmc bench: NP={args.np}, load average before {' '.join(load_before)}, "
          f"Gram sampler in this build: {'yes' if gram_available() else 'no (ambient sampling in R^d)'}", flush=True)
    print(w3_note, flush=True)
    failed, done_rows = [], []
    for r in rows:
        command = [args.kdmc, "bench", r["workload"], "--solver", r["solver"], "--trials", str(r["trials"])]
        if r.get("euler"):
            command += ["--euler-draws", str(r["euler"])]
        if r.get("integrator"):
            command += ["--integrator", r["integrator"]]
        try:
            r["kdmc"], seconds = mpirun(r["ranks"], command)
            print(f"  {r['label']:<8} kdmc       {r['ranks']} rank(s): {seconds:6.1f} s", flush=True)
        except (RuntimeError, ValueError) as error:
            print(f"  {r['label']:<8} kdmc FAILED: {error}", flush=True)
            failed.append(r["label"])
            continue
        if r.get("callgrind"):
            try:
                r["instructions_per_trial"] = callgrind_instructions_per_trial(args.kdmc, r["workload"], r["callgrind"])
                print(f"  {r['label']:<8} callgrind  1 rank: {r['instructions_per_trial']:,.0f} instructions per trial", flush=True)
            except (RuntimeError, OSError) as error:
                print(f"  {r['label']:<8} callgrind FAILED: {error}", flush=True)
        if r["comparator"]:
            try:
                r["comparator"], seconds = mpirun(r["ranks"], [sys.executable, os.path.join(ROOT, "bench/comparator.py"),
                                                               r["workload"], "--trials", str(r["comparator"])]
                                                  + (["--mode", r["mode"]] if r.get("mode") else []))
                print(f"  {r['label']:<8} comparator {r['ranks']} rank(s): {seconds:6.1f} s", flush=True)
                r["ratio"] = r["kdmc"]["trials_per_second"] / r["comparator"]["trials_per_second"]
            except (RuntimeError, ValueError) as error:
                print(f"  {r['label']:<8} comparator FAILED: {error}", flush=True)
                r["comparator"] = None
                r["comparator_note"] = "failed"
        else:
            r["comparator"] = None
            if r["workload"] == "W3":
                r["comparator_note"] = "skipped"
        done_rows.append(r)
        save(args.out, args.np, done_rows)
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[:3]

    rows = done_rows
    estimator_rows = [r for r in rows if r.get("estimator")]
    rows = [r for r in rows if not r.get("estimator")]
    print()
    if rows:
        print_table(rows)
    print(f"\nload average after {' '.join(load_after)} (2 shared cores: wall-time rates move with other users' load; "
          "the cpu/tr columns are CPU seconds per trial summed over ranks).")
    print_curves(rows)
    print_estimators(estimator_rows)
    print_importance(estimator_rows)
    rows += estimator_rows
    save(args.out, args.np, rows, load_before=load_before, load_after=load_after, w3_comparator=w3_note)
    print(f"\nraw results: {os.path.relpath(args.out, ROOT)}")
    if failed:
        print(f"failed rows: {', '.join(failed)}")
        sys.exit(1)


def save(path, np_ranks, rows, **extra):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".partial", "w") as f:
        json.dump(dict(np=np_ranks, rows=rows, **extra), f, indent=1)
    os.replace(path + ".partial", path)


if __name__ == "__main__":
    main()
