#!/usr/bin/env python3
"""Reference values for the geometry, risk and bound tests (SciPy; never used by the product).

Run from this folder:  python3 make_geometry_reference.py
Writes geometry_gaussian_p.csv and risk_gaussian_expectation.csv.
"""
import numpy as np
from scipy import integrate, special

# p(theta) of the isotropic Gaussian: I_{sin^2 theta}(1/2, (d-1)/2).
with open("geometry_gaussian_p.csv", "w") as f:
    f.write("# p(theta) = scipy.special.betainc(0.5, (d-1)/2, sin(theta)**2); "
            "make_geometry_reference.py\n")
    f.write("d,theta,p\n")
    for d in [2, 3, 4, 5, 10, 100, 1000, 100000]:
        for theta in [0.0, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.3, 0.7, 1.0, 1.3, 1.5, np.pi / 2]:
            p = special.betainc(0.5, (d - 1) / 2, np.sin(theta) ** 2)
            f.write(f"{d},{float(theta)!r},{float(p)!r}\n")

# E[R_n] = (1/pi) E[arccos sqrt(B)], B ~ Beta(n/2, (d-n)/2), for w(0) = 0 and n < d.
def expected_risk(n, d):
    a, b = n / 2, (d - n) / 2
    # E[gamma] = int_0^{pi/2} P[gamma > phi] dphi = int_0^{pi/2} I_{cos^2 phi}(a, b) dphi.
    mode = np.arccos(np.sqrt(n / d))
    val1, _ = integrate.quad(lambda ph: special.betainc(a, b, np.cos(ph) ** 2), 0, mode,
                             epsabs=1e-14, epsrel=1e-13, limit=200)
    val2, _ = integrate.quad(lambda ph: special.betainc(a, b, np.cos(ph) ** 2), mode, np.pi / 2,
                             epsabs=1e-14, epsrel=1e-13, limit=200)
    return (val1 + val2) / np.pi

with open("risk_gaussian_expectation.csv", "w") as f:
    f.write("# E[R_n] = (1/pi) int_0^{pi/2} betainc(n/2, (d-n)/2, cos(phi)^2) dphi "
            "(scipy.integrate.quad); make_geometry_reference.py\n")
    f.write("d,n,expected_risk\n")
    for d, n in [(100, 1), (100, 10), (100, 50), (100, 90), (100, 99), (3, 1), (3, 2),
                 (10, 3), (1000, 100), (1000, 999), (100000, 1000)]:
        f.write(f"{d},{n},{float(expected_risk(n, d))!r}\n")
