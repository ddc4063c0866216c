"""``baa-gamma-distribution``: P(Gamma) of the BAA SCBA below and above T_c as eta decreases.

The order of limits of docs/theory/scba.md §2.4 on a finite lattice of GOE cells (lambda = 2e-3, M =
5, I = 0.01, d = 1): for each temperature, lattices of growing size and, on each, bath widths eta
decreasing over decades (:func:`mbl.baa.limits.order_of_limits`). Two fractions of the levels in the
thermal window are reported:

- broadened beyond a fixed width, Gamma > g* = 1% of <Gamma_in> = pi lam^2 M T (BAA's
  P(Gamma != 0)): below T_c it falls towards 0 as eta -> 0 (the widths follow eta), above T_c
  it saturates at a finite value (the widths stay finite);
- Gamma/eta > 10 (the working criterion of docs/theory/scba.md §2.4): below T_c it keeps a small,
  nearly eta-independent value (the Levy tail of Gamma/eta), above T_c it rises to 1.

T = 0.3 delta lies below both the tree T_c (~0.53) and the T_c equation (~4.1 at kappa = 1);
T = 6 delta lies above both. The lattice sizes differ per temperature: at 0.3 delta a cell
has 2 levels in the window, so it takes ~1000 cells to resolve a falling fraction of a few
per cent; at 6 delta a cell has ~100 and costs ~2,500 times more per iteration (the
inelastic sum grows like n_levels^2 M^2 per cell; at 20 delta, 64 cells would take hours).
Quick mode: about 5 minutes on 2 cores. Full mode: not yet timed.
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
    True: dict(temps=(0.3, 6.0), sizes={0.3: (64, 1024), 6.0: (4, 16)},
               etas=tuple(10.0**-n for n in range(2, 11)), max_iter=60),
    False: dict(temps=(0.3, 1.5, 6.0, 20.0),
                sizes={0.3: (256, 1024, 4096), 1.5: (16, 64, 256), 6.0: (4, 16, 64),
                       20.0: (4, 16)},
                etas=tuple(10.0**-n for n in range(2, 11)), max_iter=300),
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
    fig = Figure(figsize=(5 * (len(temps) + 2), 4.4), layout="tight")
    axes = fig.subplots(1, len(temps) + 2)
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
    g_star = {T: results[T].width_threshold for T in temps}
    panels = ((axes[-2], "fraction", rf"fraction with $\Gamma/\eta > {results[temps[0]].ratio:g}$"),
              (axes[-1], "fraction_fixed",
               r"fraction with $\Gamma > g^* = 0.01\,\langle\Gamma_{in}\rangle$ (0 not drawn)"))
    for ax, attr, ylabel in panels:
        for n, T in enumerate(temps):
            res = results[T]
            for i, L in enumerate(res.sizes):
                frac = getattr(res, attr)[i]
                ax.errorbar(res.etas, frac, yerr=_fraction_error(frac, res.gamma[i][0].size),
                            fmt="o-" if i == len(res.sizes) - 1 else "s:", capsize=3, ms=4,
                            color=f"C{n}", alpha=1.0 if i == len(res.sizes) - 1 else 0.5,
                            label=f"T = {T:g} δ, L = {L}")
            if attr == "fraction_fixed":
                ax.axvline(g_star[T], color=f"C{n}", lw=0.8, ls="--",
                           label=rf"$g^*$ at T = {T:g} δ")
        if attr == "fraction_fixed":  # log scale: a fall like sqrt(eta) is a straight line
            res = results[temps[0]]
            eta = res.etas[res.etas < res.width_threshold]
            if eta.size > 1:
                f0 = res.fraction_fixed[-1][np.argmax(res.etas < res.width_threshold)]
                ax.plot(eta, f0 * np.sqrt(eta / eta[0]), "k:", lw=1,
                        label=r"$\propto\eta^{1/2}$ (Lévy tail, docs/theory/insulator.md §3.2)")
            ax.set_yscale("log")
            ax.set_ylim(3e-4, 1.5)
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel(r"bath width $\eta/\delta_\zeta$ (decreasing)")
        ax.set_ylabel(ylabel)
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
        res = order_of_limits(_params(), T, sizes=mode["sizes"][T], etas=mode["etas"],
                              rng=rng, max_iter=mode["max_iter"], tol=1e-3)
        results[T] = res
        c = classify(res)
        below = int(np.argmax(res.etas < res.width_threshold))  # first eta below g*
        for i, L in enumerate(res.sizes):
            n = res.gamma[i][0].size
            for quantity, frac, method, points in (
                    ("broadened_fraction", res.fraction[i], "SCBA, Gamma/eta > 10",
                     (0, len(res.etas) - 1)),
                    ("broadened_fraction_fixed_width", res.fraction_fixed[i],
                     f"SCBA, Gamma > g* = {res.width_threshold:.3g} (1% of <Gamma_in>)",
                     (below, len(res.etas) - 1))):
                err = _fraction_error(frac, n)
                for j in points:
                    rows.append(Row(quantity, float(frac[j]), float(err[j]), None, method,
                                    params={"T": T, "L": int(L), "levels": n,
                                            "eta": float(res.etas[j]),
                                            "converged": bool(res.converged[i, j]),
                                            "window_change": float(
                                                f"{res.window_change[i, j]:.2g}")}))
        rows.append(Row("dlnGamma_typ/dln_eta", c.slope, None, None,
                        "SCBA order of limits (1: insulator, 0: metal)",
                        params={"T": T, "L": int(res.sizes[-1]), "phase": c.phase,
                                "rel_var": round(c.rel_var, 4)}))
        ticker.tick()
    fig = _figure(results, output_directory(out, NAME, quick) / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
