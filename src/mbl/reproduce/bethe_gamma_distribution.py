"""``bethe-gamma-distribution``: the law of Gamma = -Im Sigma on the Bethe lattice as eta -> 0.

Population dynamics at K = 2, E = 0 (docs/theory/bethe-lattice.md §6.6). In the metal (W = 10 < W_c
= 18.17) P(Gamma) converges to a finite distribution as eta decreases; in the insulator (W = 25) it
collapses onto Gamma ~ eta with the resonance tail P ~ eta^(1/2) Gamma^(-3/2)
(docs/theory/insulator.md §3.2). The table gives the tail exponent at the smallest eta and the slope
d ln Gamma_typ / d ln eta (0 in the metal, 1 in the insulator) on eta <= 1e-5.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mbl.cavity import PopulationResult, bethe, population, tail_exponent
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.bethe_common import Ticker, interval, streams
from mbl.study.runner import Progress

NAME = "bethe-gamma-distribution"
SEED = 19730402
K = 2
METAL, INSULATOR = 10.0, 25.0
ETAS = (1e-3, 1e-5, 1e-7, 1e-9)
MODES = {True: dict(pool=100_000, pools=4, measure=10),
         False: dict(pool=1_000_000, pools=6, measure=20)}
FIT_ETA = 1e-5  # the slope in eta is fitted on eta <= FIT_ETA (the linear-response regime)
SOURCE = ("localized phase: Gamma ~ eta, resonance tail eta^(1/2) Gamma^(-3/2) "
          "(docs/theory/insulator.md §3.2)")


def _eta_slope(res: dict[float, PopulationResult]) -> tuple[float, float]:
    """Weighted slope of ln Gamma_typ against ln eta, for eta <= FIT_ETA."""
    eta = np.array([e for e in sorted(res) if e <= FIT_ETA])
    g = np.array([res[e].gamma_typ for e in eta])
    err = np.array([res[e].gamma_typ_error for e in eta])
    (slope, _), cov = np.polyfit(np.log(eta), np.log(g), 1, w=g / err, cov="unscaled")
    return float(slope), float(np.sqrt(cov[0, 0]))


def _figure(results: dict[float, dict[float, PopulationResult]], path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.6), layout="tight")
    axes = fig.subplots(1, 2)
    for ax, (W, res) in zip(axes, results.items(), strict=True):
        for eta, r in sorted(res.items(), reverse=True):
            c = np.sqrt(r.gamma_edges[1:] * r.gamma_edges[:-1])
            ok = r.gamma_density > 0
            ax.errorbar(c[ok], r.gamma_density[ok], yerr=r.gamma_density_error[ok], fmt=".-",
                        ms=3, lw=0.8, capsize=0, label=rf"$\eta = 10^{{{np.log10(eta):.0f}}}$")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"$\Gamma = -\mathrm{Im}\,\Sigma$ (units of the hopping)")
        ax.set_ylabel(r"$P(\Gamma)$ (1/hopping)")
        phase = "metal" if W < 18.17 else "insulator"
        ax.set_title(f"$K = {K}$, $W = {W:g}$ ({phase}), $E = 0$")
        ax.grid(alpha=0.3)
    eta = min(results[INSULATOR])
    r = results[INSULATOR][eta]
    g = np.logspace(np.log10(eta) + 2, 1, 50)
    amp = np.interp(1e-2, np.sqrt(r.gamma_edges[1:] * r.gamma_edges[:-1]), r.gamma_density)
    axes[1].plot(g, amp * (g / 1e-2) ** -1.5, "k--", lw=1,
                 label=r"$\propto \eta^{1/2}\Gamma^{-3/2}$")
    for ax in axes:
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    """Run the reproduction (numba threads do the parallel work; ``workers`` is unused)."""
    start = time.perf_counter()
    mode = MODES[quick]
    rngs = iter(streams(SEED, 2 * len(ETAS)))
    ticker = Ticker(progress, 2 * len(ETAS))
    results: dict[float, dict[float, PopulationResult]] = {}
    for W in (METAL, INSULATOR):
        results[W] = {}
        for eta in ETAS:
            results[W][eta] = population(bethe(K, W), eta=eta, pool=mode["pool"],
                                         pools=mode["pools"], measure=mode["measure"],
                                         rng=next(rngs))
            ticker.tick()
    rows = []
    for W, res in results.items():
        for eta, r in sorted(res.items()):
            rows.append(Row("rho_typ", r.rho_typ, r.rho_typ_error, None, "population dynamics",
                            params={"K": K, "W": W, "eta": eta}))
        slope, err = _eta_slope(res)
        rows.append(Row("dlnGamma_typ/dln_eta", slope, err, 0.0 if W < 18.17 else 1.0,
                        "metal: finite Gamma as eta -> 0; " + SOURCE,
                        params={"K": K, "W": W, "eta_max": FIT_ETA},
                        interval=interval(slope, err)))
    eta = min(ETAS)
    lo = float(f"{1e3 * eta:.3g}")
    a, a_err = tail_exponent(results[INSULATOR][eta], lo, 1.0)
    rows.append(Row("tail_exponent", a, a_err, 1.5, SOURCE,
                    params={"K": K, "W": INSULATOR, "eta": eta, "range": [lo, 1.0]},
                    interval=interval(a, a_err)))
    fig = _figure(results, output_directory(out, NAME, quick) / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
