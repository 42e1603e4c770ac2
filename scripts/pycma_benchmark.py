"""pycma side of docs/optimisation.md: evaluations to reach f < 1e-8 on 10-D sphere,
ellipsoid (condition 1e6) and Rosenbrock from x0 = (3, ..., 3), sigma0 = 2, seeds 0..10,
with pycma's defaults (active CMA on) and with CMA_active=False; plus pycma's strategy
constants for n = 10 (compared with gradus's in crates/gradus/tests/evo.rs).

    python3 -m venv ~/.venvs/pycma && ~/.venvs/pycma/bin/pip install cma numpy
    ~/.venvs/pycma/bin/python scripts/pycma_benchmark.py

pycma's seeds start at 1 (seed 0 means "random"), so seed s here is pycma seed s + 1.
"""
import warnings

warnings.filterwarnings("ignore")
import cma
import numpy as np

N = 10


def sphere(x):
    return float(np.sum(np.asarray(x) ** 2))


def ellipsoid(x):
    x = np.asarray(x)
    w = 10.0 ** (6.0 * np.arange(len(x)) / (len(x) - 1))
    return float(np.sum(w * x**2))


def rosenbrock(x):
    x = np.asarray(x)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def evals(f, seed, active):
    opts = {"ftarget": 1e-8, "seed": seed + 1, "verbose": -9, "CMA_active": active,
            "maxfevals": 1e6}
    es = cma.CMAEvolutionStrategy(N * [3.0], 2.0, opts)
    es.optimize(f)
    return es.result.evaluations, es.result.fbest


print("cma", cma.__version__)
es = cma.CMAEvolutionStrategy(N * [3.0], 2.0, {"verbose": -9})
sp = es.sp
print("constants n=10: lambda", sp.popsize, "mu", sp.weights.mu, "mueff %.10f" % sp.weights.mueff,
      "c1 %.10f" % sp.c1, "cmu %.10f" % sp.cmu, "cc %.10f" % sp.cc,
      "cs %.10f" % es.adapt_sigma.cs, "damps %.10f" % es.adapt_sigma.damps)
print("weights", " ".join("%.10f" % w for w in sp.weights))
for active in (True, False):
    print("CMA_active =", active)
    for name, f in (("sphere", sphere), ("ellipsoid", ellipsoid), ("rosenbrock", rosenbrock)):
        runs = [evals(f, s, active) for s in range(11)]
        ok = [e for e, fb in runs if fb < 1e-8]
        print("%-11s reached %2d/11 median %7.0f all %s" % (name, len(ok), np.median(ok) if ok else float("nan"), [e for e, _ in runs]))
