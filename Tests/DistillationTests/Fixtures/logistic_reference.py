"""Reference values for Tests/DistillationTests/LossLogisticTests.swift.

Run from the repository root:
    python3 Tests/DistillationTests/Fixtures/logistic_reference.py > Tests/DistillationTests/Fixtures/logistic_reference.csv
Each input (z, m) is a double; mpmath evaluates the exact functions of those doubles at 400
decimal digits, and each result is rounded once to the nearest double (repr round-trips).
"""
import mpmath as mp

mp.mp.dps = 400

pairs = [
    (0.0, 0.0), (1.0, 0.5), (2.0, -3.0), (-0.5, 0.25),
    (1e300, 1e300), (1e300, -1e300), (-1e300, 1e300), (-1e300, -1e300),
    (1e300, 0.0), (0.0, -1e300), (1e-300, -1e-300), (5e-324, 0.0),
    (30.0, 30.000001), (300.0, 300.0000000001), (-40.0, -39.999999999999), (0.5, 0.5000000000000002),
    (700.0, 710.0), (-745.0, -740.0), (1000.0, 1001.0), (36.0, 37.0), (-36.0, 37.0),
    (1e-8, 2e-8), (20.0, -20.0), (-709.0, 709.0), (1.7e308, -1.7e308),
]

def sigmoid(x):
    return 1 / (1 + mp.exp(-x))

def softplus(x):
    return mp.log(1 + mp.exp(x))

print("z,m,residual,divergence,sigmoidDerivativeZ,softplusZ,sigmoidZ")
for z, m in pairs:
    Z, M = mp.mpf(z), mp.mpf(m)
    residual = sigmoid(Z) - sigmoid(M)
    divergence = softplus(Z) - softplus(M) - sigmoid(M) * (Z - M)
    derivative = sigmoid(Z) * sigmoid(-Z)
    values = [residual, divergence, derivative, softplus(Z), sigmoid(Z)]
    print(",".join([repr(z), repr(m)] + [repr(float(v)) for v in values]))
