"""The T_c constant of ``baa-tc``: the e-h tree against its large-T limit and the lattice SCBA.

Three estimates of T_c(lambda, M) of the linearized SCBA (Re Sigma dropped), units delta = 1:

1. tree: :func:`mbl.baa.stability.stability_tc`, the population dynamics of ``baa-tc``
   (fresh Poisson levels, off-shell mismatch carried along the path);
2. large-T limit of the tree, deterministic: for T >> M the thermal factor becomes
   F = f_c (1 - f_c) of the partner alone, so lambda(beta) = 3 lam^(2 beta) T
   Gamma(beta)^2/Gamma(2 beta) M^(2 - 2 beta) mu(beta), mu(beta) the top eigenvalue of the
   kernel (1 - |x' - x|)_+ |x|^(-2 beta) on the line (product-integration Nystrom), and its
   leading-log form 6 pi e lam T M ln(4 M e^(-3/2) / lam) = 1;
3. lattice: :func:`mbl.baa.lattice_stability.onshell_moments`, the on-shell linearized SCBA of
   :mod:`mbl.baa.scba` on drawn cells (Poisson and GOE), beta-moment growth = Perron root of
   the xi-binned offspring matrix, jackknife over cells; with the on-shell large-T form
   3 lam^(2 beta) T Gamma(beta)^2/Gamma(2 beta) 2 M^(1 + eps)/(eps (1 + eps)), eps = 1 - 2 beta
   (Poisson).

C_eff = 1/(T_c lam M ln(1/lam)) is the counterpart of the 12 of BAA's T_c equation.

nice -n 10 python3 data/findings/baa-tc-constant/run.py  ->  result.json beside this file.
"""

from __future__ import annotations

import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import gammaln

from mbl.baa import closed_forms as cf
from mbl.baa.lattice_stability import onshell_moments
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.scba import Cells, _neighbours, levels_for
from mbl.baa.stability import stability_tc
from mbl.models.goe import goe_levels
from mbl.study.provenance import provenance

SEED = 20060601
M0 = 5.0
#: (lambda, M) of the tree runs; the last two vary M at fixed lambda
TREE = ((1e-4, 5.0), (1e-5, 5.0), (1e-6, 5.0), (1e-7, 5.0), (1e-9, 5.0), (1e-12, 5.0),
        (1e-9, 2.0), (1e-9, 20.0))
TREE_PARTICLES = 20_000
CHECK = (1e-6, 5.0, 80_000)  # population-size check
#: the tree again with a finer beta grid around the optimum of the large-T limit (the default
#: grid mbl.baa.stability.BETAS has steps of 0.01 there)
FINE = ((1e-12, 5.0, (0.475, 0.478, 0.481, 0.484, 0.487, 0.49)),
        (1e-9, 2.0, (0.468, 0.471, 0.474, 0.477, 0.48, 0.483)),
        (1e-6, 5.0, (0.458, 0.461, 0.464, 0.467, 0.47, 0.473)))
#: lattice runs: statistics -> lambdas (M = 5)
LATTICE = {"poisson": (1e-4, 1e-5, 1e-6), "goe": (1e-4, 1e-5)}
CELLS, PARENTS, WINDOW = 12, 60, 14.0


def _params(lam, M):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        return BAAParameters(lam, 0.01, M, 1)


def c_eff(tc, lam, M):
    return 1.0 / (tc * lam * M * math.log(1.0 / lam))


# --- 2. large-T limit of the tree --------------------------------------------------------

def mu_hat(beta, delta=0.01, X=12.0, geo=60):
    """Top eigenvalue of h -> int (1 - |x' - x|)_+ |x|^(-2 beta) h(x) dx (even h, x >= 0):
    piecewise-linear product integration with exact moments of x^(-2 beta), a geometric grid
    down to 1e-30 below ``delta`` and a uniform one (step delta, so the kinks at |x' - x| = 1
    fall on nodes) up to X."""
    x = np.concatenate([[0.0], np.geomspace(1e-30, delta, geo)[:-1],
                        np.arange(0.0, X + delta / 2, delta)[1:]])
    p = 1.0 - 2.0 * beta
    a, b = x[:-1], x[1:]
    d = b - a
    m0, m1 = (b**p - a**p) / p, (b ** (p + 1) - a ** (p + 1)) / (p + 1)
    w = np.zeros_like(x)
    w[:-1] += (b * m0 - m1) / d
    w[1:] += (m1 - a * m0) / d
    G = (np.clip(1 - np.abs(x[:, None] - x[None, :]), 0, None)
         + np.clip(1 - np.abs(x[:, None] + x[None, :]), 0, None))
    A = G * w[None, :]
    v, val = np.ones(x.size), 0.0
    for _ in range(5000):
        nv = A @ v
        new = nv.max() / v.max()
        v = nv / nv.max()
        if abs(new - val) < 1e-13 * new:
            break
        val = new
    return float(new)


def thermal(beta):
    """int [f (1 - f)]^beta dxi / T = Gamma(beta)^2 / Gamma(2 beta) (pi at beta = 1/2)."""
    return math.exp(2.0 * gammaln(beta) - gammaln(2.0 * beta))


def tc_large_t(lam, M, kind):
    """T_c = 1 / min_beta [lambda(beta) / T] of the T >> M limit ("tree" or "onshell")."""
    def log_rate(beta):
        eps = 1.0 - 2.0 * beta
        if kind == "tree":
            s = M ** (2.0 - 2.0 * beta) * mu_hat(beta)
        else:
            s = 2.0 * M ** (1.0 + eps) / (eps * (1.0 + eps))
        return math.log(3.0 * lam ** (2.0 * beta) * thermal(beta) * s)

    r = minimize_scalar(log_rate, bounds=(0.3, 0.4999), method="bounded",
                        options={"xatol": 1e-5})
    return math.exp(-r.fun), float(r.x)


def leading_log(lam, M, shift):
    """C_eff of 6 pi e lam T M L = 1, L = ln(4 M / lam) - shift (3/2 tree, 1 on shell)."""
    return 6.0 * math.pi * math.e * (math.log(4.0 * M / lam) - shift) / math.log(1.0 / lam)


# --- 3. lattice ----------------------------------------------------------------------------

def draw(params, n_cells, n_levels, rng, statistics):
    """Independent cells (no tunnelling enters the linearized inelastic map); GOE levels from
    a tridiagonal matrix of 3 n_levels (the unfolded bulk, cheaper than the default 10 n)."""
    if statistics == "goe":
        xi = np.stack([goe_levels(n_levels, 1.0, rng, matrix_size=3 * n_levels)
                       for _ in range(n_cells)])
    else:
        xi = np.sort(rng.uniform(-0.5 * n_levels, 0.5 * n_levels, (n_cells, n_levels)), axis=1)
    half = 0.5 * params.M
    lo = np.stack([np.searchsorted(r, r - half, side="left") for r in xi]).astype(np.int64)
    hi = np.stack([np.searchsorted(r, r + half, side="right") for r in xi]).astype(np.int64)
    return Cells(params, n_cells, xi, _neighbours(n_cells, 1), lo, hi, statistics)


def lattice_point(lam, T, statistics, rng):
    p = _params(lam, M0)
    t0 = time.perf_counter()
    cells = draw(p, CELLS, levels_for(T, M0, WINDOW), rng, statistics)
    mom = onshell_moments(cells, T, parents=PARENTS, rng=rng)
    g = mom.growth()
    jk = mom.leave_one_out()
    n = jk.size
    err = math.sqrt((n - 1) / n * np.sum((jk - jk.mean()) ** 2))
    k = int(np.argmin(g))
    return {"T": T, "growth": float(g[k]), "growth_error": err, "beta_min": float(mom.betas[k]),
            "levels_per_cell": int(cells.n_levels), "seconds": time.perf_counter() - t0}


def lattice_tc(lam, statistics, t_start, slope, rng):
    """Lambda(T) at T_start, then Newton steps in ln T until Lambda = 1 is bracketed. Each
    point gives T_c = T / Lambda^(1/slope), with ``slope`` = d ln Lambda / d ln T of the tree at
    the same lambda (1 at T >> M, where Lambda is proportional to T; independent draws at every
    T make a two-point slope of the lattice itself too noisy); the points are pooled with
    weights from their jackknife errors."""
    pts = [lattice_point(lam, t_start, statistics, rng)]
    for _ in range(4):
        g = np.array([q["growth"] for q in pts])
        if g.min() < 1.0 < g.max():
            break
        last = pts[-1]
        step = (1.0 / last["growth"]) ** (1.0 / slope)
        step = step * (1.06 if last["growth"] < 1.0 else 0.94)  # overshoot to bracket
        pts.append(lattice_point(lam, last["T"] * step, statistics, rng))
    pts.sort(key=lambda q: q["T"])
    ltc = np.array([math.log(q["T"]) - math.log(q["growth"]) / slope for q in pts])
    e = np.array([q["growth_error"] / q["growth"] / slope for q in pts])
    w = 1.0 / e**2
    mean = float(np.sum(w * ltc) / w.sum())
    tc = math.exp(mean)
    chi2 = float(np.sum(w * (ltc - mean) ** 2))
    return tc, tc / math.sqrt(w.sum()), chi2, pts


def main() -> None:
    start = time.perf_counter()
    rng = np.random.default_rng(SEED)
    out = {"provenance": provenance(), "command": "nice -n 10 python3 " + " ".join(sys.argv),
           "seed": SEED, "units": "delta = 1",
           "definition": "C_eff = 1 / (T_c lam M ln(1/lam)); BAA's T_c equation: 12",
           "parameters": {"tree": {"points": TREE, "particles": TREE_PARTICLES,
                                   "check": CHECK, "betas": "mbl.baa.stability.BETAS",
                                   "fine_betas": FINE},
                          "lattice": {"statistics": LATTICE, "M": M0, "cells": CELLS,
                                      "parents_per_cell": PARENTS, "window_T": WINDOW,
                                      "x_cut": 0.05, "bins": 20, "half_width_T": 10.0,
                                      "betas": "mbl.baa.lattice_stability.BETAS"}},
           "large_T": [], "tree": [], "lattice": []}

    t0 = time.perf_counter()
    points = sorted(set(TREE) | {(lam, M0) for v in LATTICE.values() for lam in v})
    for lam, M in points:
        tc, beta = tc_large_t(lam, M, "tree")
        tc_on, beta_on = tc_large_t(lam, M, "onshell")
        row = {"lambda": lam, "M": M, "T_c_tree_limit": tc, "beta_tree_limit": beta,
               "C_eff_tree_limit": c_eff(tc, lam, M),
               "C_eff_tree_leading_log": leading_log(lam, M, 1.5),
               "T_c_onshell_limit": tc_on, "beta_onshell_limit": beta_on,
               "C_eff_onshell_limit": c_eff(tc_on, lam, M),
               "C_eff_onshell_leading_log": leading_log(lam, M, 1.0),
               "T_c_asymptote_12": cf.tc_asymptote(lam, M)}
        out["large_T"].append(row)
        print(f"large-T lam={lam:g} M={M:g}: T_c tree {tc:.4g} (C {row['C_eff_tree_limit']:.2f},"
              f" leading log {row['C_eff_tree_leading_log']:.2f}); on-shell {tc_on:.4g} "
              f"(C {row['C_eff_onshell_limit']:.2f})", flush=True)
    out["seconds_large_T"] = time.perf_counter() - t0
    limit = {(r["lambda"], r["M"]): r for r in out["large_T"]}

    runs = ([(*pt, TREE_PARTICLES, None) for pt in TREE] + [(*CHECK, None)]
            + [(lam, M, TREE_PARTICLES, b) for lam, M, b in FINE])
    for lam, M, particles, betas in runs:
        t0 = time.perf_counter()
        p = _params(lam, M)
        guess = limit[(lam, M)]["T_c_tree_limit"] / p.tc_asymptote()
        kw = {} if betas is None else {"betas": betas}
        r = stability_tc(p, rng=rng, factors=(0.93 * guess, 1.07 * guess), particles=particles,
                         **kw)
        row = {"lambda": lam, "M": M, "particles": particles,
               "betas": "default" if betas is None else list(betas),
               "beta_min": [g.beta_min for g in r.scan], "T_c": r.value,
               "T_c_error": r.error, "C_eff": c_eff(r.value, lam, M),
               "C_eff_error": c_eff(r.value, lam, M) * r.error / r.value,
               "T_c_over_M": r.value / M, "scan_T": r.T.tolist(),
               "scan_growth": r.growth.tolist(), "scan_growth_error": r.growth_error.tolist(),
               "seconds": time.perf_counter() - t0}
        out["tree"].append(row)
        print(f"tree lam={lam:g} M={M:g} N={particles} betas {row['betas']}: "
              f"T_c {r.value:.4g} +- {r.error:.2g}, "
              f"C_eff {row['C_eff']:.3f} +- {row['C_eff_error']:.3f} "
              f"({row['seconds']:.0f} s)", flush=True)

    tree = {(r["lambda"], r["M"]): r for r in out["tree"]
            if r["particles"] == TREE_PARTICLES and r["betas"] == "default"}
    for statistics, lams in LATTICE.items():
        for lam in lams:
            t0 = time.perf_counter()
            tr = tree[(lam, M0)]
            t_start = tr["T_c"] * (1.0 if statistics == "poisson" else 1.4)
            slope = float(np.polyfit(np.log(tr["scan_T"]), np.log(tr["scan_growth"]), 1)[0])
            tc, err, chi2, pts = lattice_tc(lam, statistics, t_start, slope, rng)
            row = {"lambda": lam, "M": M0, "statistics": statistics, "T_c": tc,
                   "T_c_error": err, "slope_from_tree": slope, "chi2_points": chi2,
                   "C_eff": c_eff(tc, lam, M0),
                   "C_eff_error": c_eff(tc, lam, M0) * err / tc,
                   "T_c_over_tree": tc / tree[(lam, M0)]["T_c"], "scan": pts,
                   "seconds": time.perf_counter() - t0}
            out["lattice"].append(row)
            print(f"lattice {statistics} lam={lam:g}: T_c {tc:.4g} +- {err:.2g}, C_eff "
                  f"{row['C_eff']:.2f} +- {row['C_eff_error']:.2f}, / tree "
                  f"{row['T_c_over_tree']:.3f} ({row['seconds']:.0f} s)", flush=True)

    out["seconds"] = time.perf_counter() - start
    path = Path(__file__).with_name("result.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(path, f"{out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
