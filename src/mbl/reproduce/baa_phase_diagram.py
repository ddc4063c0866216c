"""``baa-phase-diagram``: the BAA phase diagram in the (lambda, T/delta) plane
(docs/theory/phase-diagram.md §5.1).

Boundaries: the T_c equation (12 lam M T/delta) ln(1/lam) = exp(kappa delta |ln I|/T) with the
uncertain kappa = 1 and its asymptote delta/(12 lam M ln(1/lam)); T_in = delta/(6 pi M lam)
(non-ergodic -> ergodic metal) and T_el = delta/(16 pi^2 M d lam^2); the T_c of the linearized
SCBA on the e-h-pair tree (:mod:`mbl.baa.stability`, I-independent). Points: the phase of the
SCBA on finite lattices of cells in the order of limits (:func:`mbl.baa.phase.classify`:
insulator if the typical width follows eta, metal otherwise, ergodic if var/mean^2 < 1).
M = 5, I = 0.01, d = 1, GOE cells; lambda <= 2e-3 keeps M^2 lambda <= 0.05. The bath width
goes down to 1e-8 (quick) or 1e-9: the metallic widths at these lambda are ~1e-5 delta
(pi lam^2 M T), so the saturation of Gamma as eta -> 0 shows only for eta well below that.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from mbl.baa.limits import order_of_limits
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.phase import PHASES, boundaries, classify
from mbl.baa.stability import stability_tc
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.bethe_common import Ticker, interval, streams
from mbl.study.runner import Progress

NAME = "baa-phase-diagram"
DESCRIPTION = "BAA phase diagram (lambda, T): insulator, non-ergodic and ergodic metal"
SEED = 20060101
M, I, D = 5.0, 0.01, 1  # noqa: E741
ASYMPTOTE = ("BAA T_c asymptote delta/(12 lam M ln(1/lam)) "
             "(docs/theory/insulator.md §3.4; 12 read from the slides)")
MODES = {
    True: dict(lams=(5e-4, 2e-3), temps=(0.3, 1.5, 6.0), sizes=(4, 8),
               etas=(1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8), max_iter=60, tc_lams=(5e-4, 2e-3),
               particles=4000),
    False: dict(lams=(2.5e-4, 5e-4, 1e-3, 2e-3), temps=(0.3, 1.0, 3.0, 10.0, 30.0),
                sizes=(4, 8, 16), etas=tuple(10.0**-n for n in range(2, 10)), max_iter=200,
                tc_lams=(2.5e-4, 5e-4, 1e-3, 2e-3), particles=20_000),
}


def _params(lam: float) -> BAAParameters:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        return BAAParameters(lam, I, M, D)


def _figure(mode: dict, points: list, tcs: dict, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5.6), layout="tight")
    ax = fig.subplots()
    lam = np.geomspace(min(mode["lams"]) / 2, max(mode["lams"]) * 2, 60)
    b = boundaries(lam, I, M, D)
    ax.plot(lam, b["tc"], "k-", label=r"$T_c$ equation ($\kappa=1$, uncertain)")
    ax.plot(lam, b["tc_asymptote"], "k--", label=r"$T_c$ asymptote $1/(12\lambda M\ln(1/\lambda))$")
    ax.plot(lam, b["t_in"], "C2-", label=r"$T_{in} = 1/(6\pi M\lambda)$")
    ax.plot(lam, b["t_el"], "C4-", label=r"$T_{el} = 1/(16\pi^2 M d\lambda^2)$")
    lt = np.array(sorted(tcs))
    ax.errorbar(lt, [tcs[v].value for v in lt], yerr=[tcs[v].error for v in lt], fmt="D",
                color="C3", capsize=3, label=r"$T_c$: linearized SCBA on the e–h tree")
    marks = {PHASES[0]: ("s", "C0"), PHASES[1]: ("^", "C1"), PHASES[2]: ("o", "C2")}
    for phase, (mk, col) in marks.items():
        sel = [(p["lam"], p["T"]) for p in points if p["phase"] == phase]
        if sel:
            ax.scatter(*zip(*sel, strict=True), marker=mk, s=70, facecolor="none",
                       edgecolor=col, linewidths=2, label=f"SCBA: {phase}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(0.1, 3 * b["t_in"].max())
    ax.set_xlabel(r"interaction $\lambda$")
    ax.set_ylabel(r"temperature $T/\delta_\zeta$")
    ax.set_title(f"BAA phase diagram, M = {M:g}, I = {I:g}, d = {D}")
    ax.legend(fontsize=7, loc="upper right")
    ax.grid(alpha=0.3, which="both")
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    """Run the reproduction (``workers`` is unused: the numba kernels use the threads)."""
    start = time.perf_counter()
    mode = MODES[quick]
    grid = [(lam, T) for lam in mode["lams"] for T in mode["temps"]]
    rngs = streams(SEED, len(grid) + len(mode["tc_lams"]))
    ticker = Ticker(progress, len(grid) + len(mode["tc_lams"]))
    rows, points = [], []
    for (lam, T), rng in zip(grid, rngs, strict=False):
        res = order_of_limits(_params(lam), T, sizes=mode["sizes"], etas=mode["etas"], rng=rng,
                              max_iter=mode["max_iter"], tol=1e-3)
        c = classify(res)
        points.append(dict(lam=lam, T=T, phase=c.phase))
        params = {"lambda": lam, "T": T, "M": M, "I": I, "d": D, "L": int(res.sizes[-1]),
                  "eta": float(res.etas[-1]), "phase": c.phase,
                  "converged": bool(res.converged.all())}
        rows.append(Row("dlnGamma_typ/dln_eta", c.slope, None, None,
                        "SCBA order of limits (1: insulator, 0: metal)", params=params))
        rows.append(Row("broadened_fraction", c.fraction, c.fraction_error, None,
                        "SCBA, Gamma/eta > 10", params=params))
        ticker.tick()
    tcs = {}
    for lam, rng in zip(mode["tc_lams"], rngs[len(grid):], strict=True):
        p = _params(lam)
        tcs[lam] = stability_tc(p, rng=rng, factors=(0.2, 0.4), particles=mode["particles"])
        rows.append(Row("T_c_tree", tcs[lam].value, tcs[lam].error, p.tc_asymptote(), ASYMPTOTE,
                        params={"lambda": lam, "M": M}, interval=interval(tcs[lam].value,
                                                                          tcs[lam].error)))
        rows.append(Row("T_c_equation", p.tc_equation(), None, None,
                        "BAA T_c equation, kappa = 1 [UNCERTAIN] (docs/theory/insulator.md §3.4)",
                        params={"lambda": lam, "M": M, "I": I, "kappa": 1.0}))
        ticker.tick()
    fig = _figure(mode, points, tcs, output_directory(out, NAME, quick) / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
