#!/usr/bin/env python3
"""A plain NumPy/SciPy + mpi4py implementation of kdmc's benchmark workloads.

This is a COMPARATOR for `make bench`, not part of kdmc. It is written the way a user would
write the experiment from docs/THEORY.md with the standard Python stack:

- each trial samples the transfer set in R^d (gaussian: N(0, I); poly-tail: beta = (pi/2) U^(1/kappa),
  x = rho (+-sin(beta) u + cos(beta) v) with rho ~ chi_d and v uniform on the sphere of u-perp;
  anisotropic: N(0, diag(j^-alpha))), from numpy's default generator seeded by (seed, trial);
- the student at each n is the least-squares projection of w* onto the span of the first n
  points: np.linalg.lstsq(X[:n], X[:n] @ w_star) (the minimum-norm solution of X w = X w*, which
  is P w*, the flow's limit from w(0) = 0). One lstsq per n, as a straightforward user would
  write it (no QR reused across the nested prefixes). No iterative optimizer: SciPy's L-BFGS
  with default tolerances stops on the flat soft-label loss long before the direction
  converges;
- the exact risk from the angle: gaussian gamma/pi; poly-tail by the one-dimensional
  quadrature of docs/THEORY.md section 3 (scipy.integrate.quad); anisotropic
  angle(Sigma^1/2 w, Sigma^1/2 w*)/pi;
- trials t = rank, rank + size, ... on each rank; risks gathered to rank 0, mean and Student-t
  95% interval there.

Prints one JSON line on rank 0 (same fields as `kdmc bench`).
"""
import argparse
import json
import math
import resource
import sys
import time

import numpy as np
from scipy import integrate, linalg, stats

WORKLOADS = {
    "W1": dict(geometry="gaussian", d=1000, n=[10, 20, 50, 100, 200, 500]),
    "W2": dict(geometry="poly-tail", kappa=2.0, d=100_000, n=[1, 2, 5, 10, 20, 50, 100, 200]),
    "W3": dict(geometry="poly-tail", kappa=2.0, d=1_000_000, n=[1, 2, 5, 10, 20, 50, 100, 200]),
    "W4": dict(geometry="anisotropic", alpha=1.0, d=2000, n=[10, 20, 50, 100, 200, 500, 1000]),
    "S1": dict(geometry="gaussian", d=200, n=[50, 100, 150, 190, 198]),
    # The control variate's workloads (issue 18), for plain Monte Carlo by the gram peer.
    "V4": dict(geometry="poly-tail", kappa=2.0, d=10_000, n=[5, 8, 14, 24, 41, 70, 118, 200]),
    "V6": dict(geometry="poly-tail", kappa=2.0, d=1_000_000, n=[5, 8, 14, 24, 41, 70, 118, 200]),
}


def sample(w, rng, count):
    """count points (rows) in R^d, teacher direction e_1."""
    d = w["d"]
    if w["geometry"] == "gaussian":
        return rng.standard_normal((count, d))
    if w["geometry"] == "anisotropic":
        scale = np.arange(1, d + 1, dtype=float) ** (-w["alpha"] / 2)
        return rng.standard_normal((count, d)) * scale
    # poly-tail
    kappa = w["kappa"]
    beta = (math.pi / 2) * rng.random(count) ** (1 / kappa)
    sign = rng.choice([-1.0, 1.0], size=count)
    rho = np.sqrt(rng.chisquare(d, size=count))
    v = rng.standard_normal((count, d))
    v[:, 0] = 0.0
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    x = v * (rho * np.cos(beta))[:, None]
    x[:, 0] = rho * sign * np.sin(beta)
    return x


def angle(a, b):
    cos = a @ b
    sin = np.linalg.norm(a * (b @ b) - b * cos)  # |b|^2 |a - (a.b/|b|^2) b|
    return math.atan2(sin, cos * np.linalg.norm(b))


def polytail_risk(gamma, d, kappa):
    """R(gamma) = 1/2 E[p(arctan(tan(gamma) sin(phi)))], phi on [0, pi/2] with density
    proportional to cos(phi)^(d-3) (docs/THEORY.md section 3), p(theta) = (2 theta/pi)^kappa."""
    if gamma <= 0:
        return 0.0
    if gamma > math.pi / 2:
        return 1.0 - polytail_risk(math.pi - gamma, d, kappa)
    m = d - 3
    top = min(math.pi / 2, math.sqrt(160.0 / m)) if m > 0 else math.pi / 2

    def weight(phi):
        return math.exp(m * math.log(math.cos(phi))) if m > 0 else 1.0

    def integrand(phi):
        theta = math.atan2(math.sin(gamma) * math.sin(phi), math.cos(gamma))
        return (2 * theta / math.pi) ** kappa * weight(phi)

    norm, _ = integrate.quad(weight, 0, top, epsabs=0, epsrel=1e-12, limit=200)
    mass, _ = integrate.quad(integrand, 0, top, epsabs=0, epsrel=1e-12, limit=200)
    return min(max(0.5 * mass / norm, 0.0), 0.5)


def risk(w, student, teacher):
    if w["geometry"] == "anisotropic":
        root = np.arange(1, w["d"] + 1, dtype=float) ** (-w["alpha"] / 2)
        return angle(root * student, root * teacher) / math.pi
    gamma = angle(student, teacher)
    if w["geometry"] == "gaussian":
        return gamma / math.pi
    return polytail_risk(gamma, w["d"], w["kappa"])


def trial(w, seed, t):
    rng = np.random.default_rng([seed, t])
    x = sample(w, rng, max(w["n"]))
    teacher = np.zeros(w["d"])
    teacher[0] = 1.0
    out = []
    for n in w["n"]:
        xn = x[:n]
        student = np.linalg.lstsq(xn, xn @ teacher, rcond=None)[0]
        out.append(risk(w, student, teacher))
    return out


# --- gram mode: the same algorithm as kdmc's Gram-space sampler, written in NumPy ---------------
#
# The best NumPy implementation of what kdmc does for the axially symmetric workloads (THEORY.md
# section 6): draw the teacher-frame parts (s_i, t_i) and the Bartlett factor of the directions
# (coordinates of the v_i in a basis of their own span) instead of points in R^d, embed the points
# in R^(n+1) as [s | diag(t) C], and get every nested prefix at once: with the Gram matrix
# G = X X^T = R R^T (Cholesky, R lower triangular), c = R^-1 X e_0 is one forward substitution
# and |P_k e_0|^2 = cumsum(c^2)[k-1] for every k. The risk is the same integral as the lstsq mode,
# evaluated for all n of the trial at once on a fixed composite Gauss-Legendre rule in phi built
# once per workload (16 pieces x 24 nodes on [0, phi_max], the pieces of kdmc's quadrature).

def gram_frame(w, rng, n):
    d = w["d"]
    if w["geometry"] == "gaussian":
        return rng.standard_normal(n), np.sqrt(rng.chisquare(d - 1, size=n))
    kappa = w["kappa"]
    beta = (math.pi / 2) * rng.random(n) ** (1 / kappa)
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    rho = np.sqrt(rng.chisquare(d, size=n))
    return sign * rho * np.sin(beta), rho * np.cos(beta)


def bartlett(rng, n, m):
    """Rows: coordinates of n independent uniform unit vectors of R^m in a basis of their span."""
    lower = np.zeros((n, n))
    lower[np.tril_indices(n, -1)] = rng.standard_normal(n * (n - 1) // 2)
    lower[np.diag_indices(n)] = np.sqrt(rng.chisquare(m - np.arange(n)))
    lower /= np.linalg.norm(lower, axis=1, keepdims=True)
    return lower


def gram_angles(s, t, c):
    """gamma_k = angle(e_0, P_k e_0) for every prefix k = 1..n."""
    x = np.empty((len(s), len(s) + 1))
    x[:, 0] = s
    x[:, 1:] = t[:, None] * c
    root = np.linalg.cholesky(x @ x.T)
    coefficients = linalg.solve_triangular(root, s, lower=True, check_finite=False)
    in_span = np.minimum(np.cumsum(coefficients ** 2), 1.0)
    return np.arctan2(np.sqrt(1.0 - in_span), np.sqrt(in_span))


class PolyTailRisk:
    """R(gamma) = 1/2 E[p(arctan(tan(gamma) sin(phi)))] on a fixed rule in phi (vectorised)."""

    def __init__(self, d, kappa, pieces=16, nodes=24):
        m = d - 3
        top = min(math.pi / 2, math.sqrt(160.0 / m)) if m > 0 else math.pi / 2
        x, wx = np.polynomial.legendre.leggauss(nodes)
        edges = np.linspace(0.0, top, pieces + 1)
        half = np.diff(edges)[:, None] / 2
        phi = (edges[:-1, None] + half * (x + 1)).ravel()
        weight = (half * wx).ravel() * (np.exp(m * np.log(np.cos(phi))) if m > 0 else 1.0)
        self.sin_phi, self.weight, self.kappa = np.sin(phi), weight / weight.sum(), kappa

    def __call__(self, gamma):
        gamma = np.asarray(gamma, dtype=float)
        folded = np.minimum(gamma, math.pi - gamma)
        theta = np.arctan(np.tan(folded)[:, None] * self.sin_phi[None, :])
        r = 0.5 * ((2 * theta / math.pi) ** self.kappa) @ self.weight
        return np.where(gamma > math.pi / 2, 1.0 - r, r)


def gram_trial(w, seed, t, risk):
    rng = np.random.default_rng([seed, t])
    n = max(w["n"])
    s, across = gram_frame(w, rng, n)
    c = bartlett(rng, n, w["d"] - 1)
    gamma = gram_angles(s, across, c)[np.array(w["n"]) - 1]
    return list(gamma / math.pi if w["geometry"] == "gaussian" else risk(gamma))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--trials", type=int, default=64)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--mode", choices=["lstsq", "gram"], default="lstsq",
                        help="lstsq: points in R^d, one lstsq per n; gram: kdmc's Gram-space algorithm in NumPy")
    args = parser.parse_args()
    w = WORKLOADS[args.workload]
    if args.mode == "gram" and w["geometry"] not in ("gaussian", "poly-tail"):
        sys.exit(f"comparator.py: gram mode covers the axially symmetric workloads, not {args.workload}")
    try:
        from mpi4py import MPI
    except ImportError:
        sys.exit("comparator.py needs mpi4py: python3 -m pip install mpi4py (make bench does this)")
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()

    comm.Barrier()
    start = time.perf_counter()
    cpu_start = time.process_time()
    if args.mode == "gram":
        risk = PolyTailRisk(w["d"], w["kappa"]) if w["geometry"] == "poly-tail" else None
        mine = [gram_trial(w, args.seed, t, risk) for t in range(rank, args.trials, size)]
    else:
        mine = [trial(w, args.seed, t) for t in range(rank, args.trials, size)]
    cpu = time.process_time() - cpu_start
    comm.Barrier()
    wall = time.perf_counter() - start

    everything = comm.gather(mine, root=0)
    peaks = comm.gather(peak_rss_mb(), root=0)
    cpus = comm.gather(cpu, root=0)
    if rank != 0:
        return
    risks = np.array([row for part in everything for row in part])
    count = risks.shape[0]
    curve = []
    for j, n in enumerate(w["n"]):
        mean = float(risks[:, j].mean())
        half = (float(stats.t.ppf(0.975, count - 1) * risks[:, j].std(ddof=1) / math.sqrt(count))
                if count > 1 else float("inf"))
        curve.append(dict(n=n, mean=mean, ci_low=mean - half, ci_high=mean + half))
    print(json.dumps(dict(
        tool="comparator", workload=args.workload, solver=args.mode, ranks=size, trials=count,
        d=w["d"], setup_seconds=0.0, wall_seconds=wall, trials_per_second=count / wall,
        seconds_per_trial=size * wall / count, cpu_seconds_per_trial=sum(cpus) / count, peak_rss_mb=peaks, curve=curve, notes=[
            "student = np.linalg.lstsq per n (minimum-norm least squares = P w*), points sampled in R^d"
            if args.mode == "lstsq" else
            "Gram space: Bartlett factor, Cholesky of the embedded Gram matrix, one forward substitution and "
            "np.cumsum for every prefix; risk on a fixed Gauss-Legendre rule in phi"])),
        flush=True)


if __name__ == "__main__":
    main()
