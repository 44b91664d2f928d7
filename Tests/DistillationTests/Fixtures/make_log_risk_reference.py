#!/usr/bin/env python3
"""Reference ln R(gamma) of the axially symmetric geometries (mpmath, 40 digits; never used by
the product), for the log-space risk tests.

Run from this folder:  python3 make_log_risk_reference.py      (pip install mpmath)
Writes log_risk_reference.csv.

R(gamma) = 1/2 * int_0^{pi/2} p(atan(tan gamma sin phi)) cos^m phi dphi / int_0^{pi/2} cos^m phi dphi,
m = d - 3 (docs/THEORY.md section 3). The normalisation is the closed form
sqrt(pi)/2 * Gamma((m+1)/2) / Gamma(m/2 + 1) (log-gamma at 40 digits); the mass integral is
mpmath.quad over [0, pi/2] split at the support's start and at geometric steps of the peak's
width, with no cut-off (mpf numbers do not underflow).
"""
import mpmath as mp

mp.mp.dps = 40
HALF_PI = mp.pi / 2


def p_margin(theta0):
    theta0 = mp.mpf(theta0)
    return lambda t: max(mp.mpf(0), (t - theta0) / (HALF_PI - theta0))


def p_polytail(kappa):
    kappa = mp.mpf(kappa)
    return lambda t: (2 * t / mp.pi) ** kappa


def log_risk(p, d, gamma, start, refine=16):
    """ln R; `start` is where the integrand becomes positive (phi of the margin, or 0).
    Gauss-Legendre on pieces growing by 2^(1/refine) from 1/64 of the peak's width."""
    m = mp.mpf(d - 3)
    g = mp.mpf(gamma)
    tg = mp.tan(g)
    f = lambda ph: p(mp.atan(tg * mp.sin(ph))) * mp.cos(ph) ** m
    # The peak's width: ~1/(m tan phi) right of a margin start, ~1/sqrt(m) otherwise.
    width = 1 / (m * mp.tan(start) + mp.sqrt(m)) if start > 0 else 1 / mp.sqrt(m)
    points = [start]
    step = width / (64 * refine)
    while points[-1] + step < HALF_PI:
        points.append(points[-1] + step)
        step *= mp.mpf(2) ** (mp.mpf(1) / refine)
    points.append(HALF_PI)
    mass = mp.quad(f, points, method="gauss-legendre")
    log_norm = mp.log(mp.sqrt(mp.pi) / 2) + mp.loggamma((m + 1) / 2) - mp.loggamma(m / 2 + 1)
    return mp.log(mass / 2) - log_norm


rows = []
# Margin theta0 = 0.2: from the margin itself (R ~ 0) to where R is not small, at d = 100 ... 10^8.
for d in [100, 1000, 10_000, 1_000_000, 100_000_000]:
    for gamma in [0.2000001, 0.200001, 0.2001, 0.201, 0.21, 0.25, 0.3, 0.5, 0.8, 1.2, 1.5]:
        theta0 = 0.2
        s = mp.tan(theta0) / mp.tan(mp.mpf(gamma))
        start = mp.asin(s)
        rows.append((0, theta0, d, gamma, p_margin(theta0), start))
# Poly-tail kappa = 2 and 0.5 at tiny angles (R small but inside the quadrature's reach) and large d.
for kappa in [2.0, 0.5]:
    for d in [1000, 1_000_000]:
        for gamma in [1e-12, 1e-9, 1e-6, 1e-3, 0.1, 1.0]:
            rows.append((1, kappa, d, gamma, p_polytail(kappa), mp.mpf(0)))

# Each value at two refinements; their largest relative difference in R goes in the header.
values, spread = [], mp.mpf(0)
for kind, param, d, gamma, p, start in rows:
    a = log_risk(p, d, gamma, start, refine=16)
    b = log_risk(p, d, gamma, start, refine=32)
    spread = max(spread, abs(a - b))
    values.append((kind, param, d, gamma, b))

with open("log_risk_reference.csv", "w") as out:
    out.write("# ln R(gamma), mpmath 40 digits, make_log_risk_reference.py; "
              "kind 0 = margin (param theta0), 1 = poly-tail (param kappa); "
              f"largest |ln R| change between two refinements {mp.nstr(spread, 2)}\n")
    out.write("kind,param,d,gamma,log_risk\n")
    for kind, param, d, gamma, value in values:
        out.write(f"{kind},{float(param)!r},{d},{float(gamma)!r},{mp.nstr(value, 20)}\n")
print(len(rows), "rows, spread", mp.nstr(spread, 3))
