"""``agkl-threshold``: the delocalization threshold eps_c(g) of a quasiparticle in a dot.

The AGKL Fock-space tree (docs/theory/agkl.md §7.3; :func:`mbl.cavity.agkl_tree`, c_K = c_W = 1,
Delta = 1) is run through the weighted real-energy pool; eps_c(g) is where lambda(1/2) = 1. AGKL
predict eps_c ~ Delta (g / ln g)^(1/2), so eps_c^2 ln g / (g Delta^2) should tend to a constant; its
value depends on the O(1) constants of the tree model (c_K, c_W) and carries the pool's finite-N
bias (lambda(1/2) slightly low), so no reference value is quoted.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mbl._core.errors import ConvergenceError
from mbl.cavity import PoolThreshold, agkl_tree, pool_threshold
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.bethe_common import Ticker, interval, streams
from mbl.study.runner import Progress

NAME = "agkl-threshold"
SEED = 19970401
SOURCE = "Altshuler, Gefen, Kamenev & Levitov, PRL 78, 2803 (1997): eps_c ~ (g/ln g)^1/2"
FACTORS = np.array([0.85, 0.92, 1.0, 1.08, 1.17])
MODES = {
    True: dict(g=(20.0, 40.0, 80.0, 160.0, 320.0), pool=10_000, blocks=8),
    False: dict(g=(20.0, 40.0, 80.0, 160.0, 320.0, 640.0), pool=30_000, blocks=12),
}


def _guess(g: float) -> float:
    """Starting window centre: eps^2 = 0.34 g / ln(g eps), the tree's AAT form."""
    eps = np.sqrt(g / np.log(g))
    for _ in range(20):
        eps = np.sqrt(0.34 * g / np.log(g * eps))
    return float(eps)


def _threshold(g: float, mode: dict, rng: np.random.Generator) -> PoolThreshold:
    """eps_c(g); the eps window widens once if lambda(1/2) does not cross 1 inside it."""
    for widen in (1.0, 1.6):
        try:
            return pool_threshold(lambda e: agkl_tree(e, g), _guess(g) * FACTORS ** widen,
                                  pool=mode["pool"], blocks=mode["blocks"], rng=rng)
        except ConvergenceError:
            if widen > 1:
                raise
    raise AssertionError("unreachable")


def _figure(res: dict[float, PoolThreshold], path: Path) -> Path:
    from matplotlib.figure import Figure

    g = np.array(sorted(res))
    eps = np.array([res[x].value for x in g])
    err = np.array([res[x].error for x in g])
    fig = Figure(figsize=(11, 4.6), layout="tight")
    left, right = fig.subplots(1, 2)
    left.errorbar(g, eps, yerr=err, fmt="o", capsize=3, label=r"$\lambda(1/2) = 1$ (pool)")
    fine = np.geomspace(g.min(), g.max(), 100)
    scale = eps[-1] / np.sqrt(g[-1] / np.log(g[-1]))
    left.plot(fine, scale * np.sqrt(fine / np.log(fine)), "--",
              label=r"$\propto (g/\ln g)^{1/2}$ (AGKL)")
    left.set_xlabel("dimensionless conductance $g$")
    left.set_ylabel(r"threshold $\epsilon_c$ (units of $\Delta$)")
    left.legend(fontsize=8)
    c = eps**2 * np.log(g) / g
    right.errorbar(g, c, yerr=2 * c * err / eps, fmt="o", capsize=3)
    right.set_xlabel("dimensionless conductance $g$")
    right.set_ylabel(r"$\epsilon_c^2 \ln g / (g \Delta^2)$")
    right.set_title(r"AGKL tree, $c_K = c_W = 1$: tends to a constant")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xticks(g, [f"{x:g}" for x in g])
        ax.minorticks_off()
        ax.grid(alpha=0.3)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    """Run the reproduction (numba threads do the parallel work; ``workers`` is unused)."""
    start = time.perf_counter()
    mode = MODES[quick]
    ticker = Ticker(progress, len(mode["g"]))
    res = {}
    for g, rng in zip(mode["g"], streams(SEED, len(mode["g"])), strict=True):
        res[g] = _threshold(g, mode, rng)
        ticker.tick()
    rows = []
    for g, r in res.items():
        c, c_err = r.value**2 * np.log(g) / g, 2 * r.value * r.error * np.log(g) / g
        rows.append(Row("eps_c", r.value, r.error, None, "AGKL tree, weighted pool",
                        params={"g": g, "Delta": 1.0}, interval=interval(r.value, r.error)))
        rows.append(Row("eps_c^2 ln g/(g Delta^2)", c, c_err, None, SOURCE,
                        params={"g": g}, interval=interval(c, c_err)))
    fig = _figure(res, output_directory(out, NAME, quick) / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
