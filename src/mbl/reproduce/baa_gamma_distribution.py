"""``baa-gamma-distribution``: P(Gamma) of the BAA SCBA below and above T_c as eta decreases.

The order of limits of THEORY §2.4 on a finite lattice of GOE cells (lambda = 2e-3, M = 5,
I = 0.01, d = 1): for each temperature, lattices of growing size and, on each, bath widths
eta decreasing over decades (:func:`mbl.baa.limits.order_of_limits`). Below T_c the widths
follow eta (Gamma/eta keeps an eta-independent law, the broadened fraction does not grow);
above T_c they stay finite as eta -> 0 (Gamma/eta grows, the broadened fraction rises towards
1 and saturates). T = 0.3 delta lies below both the tree T_c (~0.4) and the T_c equation
(~4.1 at kappa = 1); T = 6 delta lies above both.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from mbl.baa.limits import LimitsResult, order_of_limits
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.phase import classify
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.bethe_common import Ticker, streams
from mbl.study.runner import Progress

NAME = "baa-gamma-distribution"
DESCRIPTION = "BAA SCBA P(Gamma) below and above T_c as eta -> 0 (order of limits)"
SEED = 20050623
LAM, M, I, D = 2e-3, 5.0, 0.01, 1  # noqa: E741
MODES = {
    True: dict(temps=(0.3, 6.0), sizes=(4, 16),
               etas=(1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9),
               max_iter=60),
    False: dict(temps=(0.3, 1.5, 6.0, 20.0), sizes=(4, 16, 64),
                etas=(1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8), max_iter=300),
}


def _params() -> BAAParameters:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        return BAAParameters(LAM, I, M, D)


def _fraction_error(frac: np.ndarray, n: int) -> np.ndarray:
    return np.sqrt(np.maximum(frac * (1 - frac), 1.0 / n) / n)


def _figure(results: dict[float, LimitsResult], path: Path) -> Path:
    from matplotlib.figure import Figure

    temps = sorted(results)
    fig = Figure(figsize=(5 * (len(temps) + 1), 4.4), layout="tight")
    axes = fig.subplots(1, len(temps) + 1)
    for ax, T in zip(axes, temps, strict=False):
        res = results[T]
        for j, eta in enumerate(res.etas):
            g = res.gamma[-1][j]
            ax.hist(np.log10(g), bins=40, density=True, histtype="step", lw=1.4,
                    label=rf"$\eta = 10^{{{np.log10(eta):.0f}}}$")
        ax.set_xlabel(r"$\log_{10}(\Gamma/\delta_\zeta)$")
        ax.set_ylabel(r"$P(\log_{10}\Gamma)$")
        ax.set_title(f"T = {T:g} δ, L = {res.sizes[-1]} cells: {classify(res).phase}")
        ax.legend(fontsize=7)
    ax = axes[-1]
    for T in temps:
        res = results[T]
        for i, L in enumerate(res.sizes):
            n = res.gamma[i][0].size
            ax.errorbar(res.etas, res.fraction[i], yerr=_fraction_error(res.fraction[i], n),
                        fmt="o-" if i == len(res.sizes) - 1 else "s:", capsize=3, ms=4,
                        label=f"T = {T:g} δ, L = {L}")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel(r"bath width $\eta/\delta_\zeta$ (decreasing)")
    ax.set_ylabel(rf"fraction with $\Gamma/\eta > {results[temps[0]].ratio:g}$")
    ax.set_title(rf"order of limits, $\lambda={LAM:g}$, $M={M:g}$, $I={I:g}$")
    ax.legend(fontsize=7)
    for a in axes:
        a.grid(alpha=0.3)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    """Run the reproduction (``workers`` is unused: the numba kernels use the threads)."""
    start = time.perf_counter()
    mode = MODES[quick]
    ticker = Ticker(progress, len(mode["temps"]))
    results, rows = {}, []
    for T, rng in zip(mode["temps"], streams(SEED, len(mode["temps"])), strict=True):
        res = order_of_limits(_params(), T, sizes=mode["sizes"], etas=mode["etas"], rng=rng,
                              max_iter=mode["max_iter"], tol=1e-3)
        results[T] = res
        c = classify(res)
        for i, L in enumerate(res.sizes):
            frac = res.fraction[i]
            err = _fraction_error(frac, res.gamma[i][0].size)
            for j in (0, len(res.etas) - 1):
                rows.append(Row("broadened_fraction", float(frac[j]), float(err[j]), None,
                                "SCBA, Gamma/eta > 10",
                                params={"T": T, "L": int(L), "eta": float(res.etas[j]),
                                        "converged": bool(res.converged[i, j])}))
        rows.append(Row("dlnGamma_typ/dln_eta", c.slope, None, None,
                        "SCBA order of limits (1: insulator, 0: metal)",
                        params={"T": T, "L": int(res.sizes[-1]), "phase": c.phase,
                                "rel_var": round(c.rel_var, 4)}))
        ticker.tick()
    fig = _figure(results, output_directory(out, NAME, quick) / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
