#!/usr/bin/env python3
"""Reference values for the special-function tests (SpecialFunctionsReferenceTests.swift).

Regenerate from the package root with
    python3 Tests/DistillationTests/Fixtures/make_special_reference.py \
        > Tests/DistillationTests/Fixtures/special_reference.json
    python3 Tests/DistillationTests/Fixtures/make_special_reference.py --gauss-legendre \
        > Tests/DistillationTests/Fixtures/special_gauss_legendre.json
(the second: Gauss-Legendre nodes and weights for n = 37 and 200, roots of P_n polished
by Newton's method at 40 digits with mpmath from numpy.polynomial.legendre.leggauss).
Values come from SciPy (scipy.special: betainc, betaincc, betaincinv, stdtr, stdtrit,
ndtri), except where mpmath (40 digits) is used because SciPy is not accurate enough to
test against: ln Γ (gammaln(1.9999) is off by 4e-12), Φ (ndtr(-30) is off by 6e-14),
ln B(a, b) (SciPy's betaln is ln Γ(a) + ln Γ(b) − ln Γ(a + b) and
loses up to 1e-9 at b = 1e6), and I_x(a, b) wherever the hypergeometric series
x^a y^b / (a B(a, b)) · 2F1(a + b, 1; a + 1; x) is cheap (on the side of the mean that
holds x; SciPy's betainc is off by up to ~1e-12 at shapes ≥ 1e5). Each incompleteBeta row
says which: column 6 is 1 for mpmath, 0 for SciPy. Each row also carries a condition number where the Swift test
needs one to set a fair tolerance. Python is used only here, never by the product.
"""
import json
import math
import sys

import mpmath
import numpy as np
import scipy
import scipy.special as sp


def gauss_legendre_reference():
    mpmath.mp.dps = 40
    out = {"generator": "Tests/DistillationTests/Fixtures/make_special_reference.py --gauss-legendre"}
    for n in [37, 200]:
        xs, _ = np.polynomial.legendre.leggauss(n)
        nodes, weights = [], []
        for x0 in xs:
            x = mpmath.mpf(x0)
            for _ in range(6):  # Newton on P_n by its three-term recurrence, at 40 digits
                p0, p1 = mpmath.mpf(1), x
                for j in range(1, n):
                    p0, p1 = p1, ((2 * j + 1) * x * p1 - j * p0) / (j + 1)
                dp = n * (x * p1 - p0) / (x * x - 1)
                x -= p1 / dp
            nodes.append(float(x))
            weights.append(float(2 / ((1 - x * x) * dp * dp)))
        out[str(n)] = {"nodes": nodes, "weights": weights}
    return out


if len(sys.argv) > 1 and sys.argv[1] == "--gauss-legendre":
    json.dump(gauss_legendre_reference(), sys.stdout, indent=0)
    sys.stdout.write("\n")
    sys.exit(0)

rows = {}

# ln Gamma(x) for x > 0.
xs = [1e-300, 1e-100, 1e-10, 1e-3, 0.1, 0.5, 0.9999, 1.0, 1.0001, 1.5, 1.9999, 2.0, 2.5,
      3.3, 10.0, 33.7, 100.0, 170.5, 1e3, 1e6, 1e10, 1e100, 1e300]
mpmath.mp.dps = 40
rows["logGamma"] = [[x, float(mpmath.loggamma(x))] for x in xs]

# ln B(a, b).
params = [1e-3, 0.1, 0.5, 1.0, 3.7, 9.99, 10.0, 25.0, 1e3, 5e5, 1e6]
mpmath.mp.dps = 40
rows["logBeta"] = [[a, b, float(mpmath.log(mpmath.beta(a, b)))] for a in params for b in params]


def mp_incomplete_beta(a, b, x):
    """(I_x(a, b), 1 - I_x(a, b)) with mpmath, or None when the series would be long."""
    a, b, x = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(x)
    y = 1 - x
    if x < a / (a + b):
        p, q, z, lower_side = a, b, x, True
    else:
        p, q, z, lower_side = b, a, y, False
    if (p + q) * z > 20000:
        return None
    t = z ** p * (1 - z) ** q / (p * mpmath.beta(p, q)) * mpmath.hyp2f1(p + q, 1, p + 1, z, maxterms=10 ** 6)
    return (t, 1 - t) if lower_side else (1 - t, t)

# I_x(a, b) and 1 - I_x(a, b).
shapes = [1e-3, 0.1, 0.5, 1.0, 2.5, 10.0, 50.0, 1e3, 1e5, 1e6]
cases = []
for a in shapes:
    for b in shapes:
        mean = a / (a + b)
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        xs = [1e-10, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-10, mean]
        xs += [mean - 2 * sd, mean + 2 * sd, mean - 0.5 * sd, mean + 0.5 * sd]
        for x in xs:
            if 0 < x < 1:
                cases.append((a, b, x))
# The shapes the program uses: p(theta) = I_{sin^2 theta}(1/2, (d-1)/2) and
# cos^2 gamma ~ Beta(n/2, (d-n)/2).
for d in [3, 10, 100, 1e4, 1e6]:
    for theta in [1e-6, 1e-4, 1e-3, 0.01, 0.1, 0.5, 1.0, 1.5]:
        cases.append((0.5, (d - 1) / 2, math.sin(theta) ** 2))
for d, n in [(100, 10), (100, 50), (100, 90), (1e6, 10), (1e6, 1000), (1e6, 5e5)]:
    a, b = n / 2, (d - n) / 2
    mean = a / (a + b)
    sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    for k in [-5, -2, -1, 0, 1, 2, 5]:
        x = mean + k * sd
        if 0 < x < 1:
            cases.append((a, b, x))
ib = []
for (a, b, x) in cases:
    exact = mp_incomplete_beta(a, b, x)
    if exact is None:
        ib.append([a, b, x, float(sp.betainc(a, b, x)), float(sp.betaincc(a, b, x)), 0])
    else:
        ib.append([a, b, x, float(exact[0]), float(exact[1]), 1])
rows["incompleteBeta"] = ib

# Beta quantiles, with the condition number kappa = min(p, 1-p) / (z * dI/dx), z = min(x, 1-x):
# the relative change of z per relative change of the smaller tail, so that the test can
# allow for ill-conditioned roots. Rows where SciPy's own round trip betainc(betaincinv(p))
# misses p by more than 1e-11 (relative, on the smaller tail), or whose root is below
# 1e-300, are left out and counted in "inverseIncompleteBetaDropped".
inv = []
dropped = 0
for a in shapes:
    for b in shapes:
        for p in [1e-10, 1e-3, 0.1, 0.5, 0.9, 0.999]:
            x = float(sp.betaincinv(a, b, p))
            if not (1e-300 < x < 1):
                dropped += 1
                continue
            back = sp.betainc(a, b, x) if p <= 0.5 else sp.betaincc(a, b, x)
            tail = min(p, 1 - p)
            if abs(back - tail) > 1e-11 * tail:
                dropped += 1
                continue
            logdens = (a - 1) * math.log(x) + (b - 1) * math.log1p(-x) - sp.betaln(a, b)
            dens = math.exp(min(logdens, 700.0))
            kappa = tail / (min(x, 1 - x) * dens)
            inv.append([a, b, p, x, kappa])
rows["inverseIncompleteBeta"] = inv

nus = [0.5, 1.0, 2.0, 3.5, 10.0, 30.0, 1e3, 1e6, 1e10]
ts = [-1e10, -100.0, -10.0, -3.0, -1.0, -1e-3, 0.0, 1e-5, 0.5, 2.0, 10.0, 1e3]
rows["studentTCDF"] = [[nu, t, float(sp.stdtr(nu, t))] for nu in nus for t in ts]
ps = [1e-12, 1e-5, 0.025, 0.3, 0.5, 0.7, 0.975, 1 - 1e-5]
rows["studentTQuantile"] = [[nu, p, float(sp.stdtrit(nu, p))] for nu in nus for p in ps]

zs = [-38.0, -30.0, -20.0, -10.0, -5.0, -1.0, -1e-10, 0.0, 1e-3, 1.0, 3.0, 8.0, 9.0, 40.0]
rows["normalCDF"] = [[z, float(mpmath.ncdf(z))] for z in zs]
ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-3, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.999,
      1 - 1e-10, 1 - 2 ** -53]
rows["normalQuantile"] = [[p, float(sp.ndtri(p))] for p in ps]

out = {
    "generator": "Tests/DistillationTests/Fixtures/make_special_reference.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "inverseIncompleteBetaDropped": dropped,
}
out.update(rows)
json.dump(out, sys.stdout, indent=0)
sys.stdout.write("\n")
