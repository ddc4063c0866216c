"""``vrh-mott``: Mott's law ln sigma ~ -(T_0/T)^(1/(d+1)) from Miller–Abrahams networks.

Sites at random positions (density n = 1) with energies uniform in a band of width W = 1
(nu = 1 per volume and energy) and localization length xi = 1, so delta_xi = 1/(nu xi^d) = 1
is the energy unit; bonds exp(-2 r_ij/xi - E_ij/T) with the Miller–Abrahams E_ij
(:mod:`mbl.transport.hopping`). At each temperature, independent networks in boxes of a fixed
number of Mott lengths r_M(T) = (xi/2)(delta_xi/T)^(1/(d+1)) (so the finite-size effects are
the same at every T), keeping bonds within e^10 of the critical one.

Rows for d = 2 and 3:

- ``p``: the exponent of the weighted least-squares fit ln sigma = ln A + a ln T
  - (T_0/T)^p to the mean ln sigma (prefactor A T^a stated, a free); reference 1/(d+1).
- ``beta``: T_0 nu xi^d of that fit, and of the fit with p fixed at 1/(d+1) (a, T_0 and A
  free); reference 13.8 (2D), 21.2 (3D) (Shklovskii–Efros).
- ``beta_critical_path``: <s_c / m(T)>^(d+1) from the critical paths of the same networks,
  pooled over T (exact scaling makes s_c / m independent of T); the same references.
- ``p_critical_path``: -d ln<s_c>/d ln T (exactly 1/(d+1) by scaling: a check of the code).
- ``a`` (fit) and ``a_critical_path``: the prefactor exponent, directly as the slope of
  <ln sigma + s_c> against ln T: how far the network is from the bare critical path.

Errors: delete-one-realization jackknife (realization k = the k-th network at every T, all
draws independent; the networks at each T are split into min(samples) groups). Quick: 8
temperatures with m(T) = (delta_xi/T)^(1/(d+1)) = 4..20, max(12, 12 m/8) networks each, boxes
of 120^2 (2D) and 24^3 (3D) Mott lengths. Full: 10 temperatures m = 4..24, max(40, 40 m/8)
networks, 200^2 and 40^3.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.bethe_common import Ticker, interval, streams
from mbl.study.runner import Progress
from mbl.transport.hopping import BETA, MillerAbrahams
from mbl.transport.vrh import MottSweep, fit_mott, mott_sweep, temperatures

NAME = "vrh-mott"
DESCRIPTION = "Mott VRH on Miller-Abrahams networks: ln sigma vs T^-1/(d+1), fitted exponents"
SEED = 19690801
MOTT = "Mott, Phil. Mag. 19, 835 (1969); docs/theory/hopping.md §8.1"
SE = "Shklovskii & Efros, Electronic Properties of Doped Semiconductors (1984), ch. 9"
MARGIN = 10.0
#: m(T) range and count; networks per T: max(n, n m / 8) (cheap cold networks fluctuate most)
MODES = {
    True: dict(m=(4.0, 20.0, 8), samples=12, box={2: 120.0, 3: 24.0}),
    False: dict(m=(4.0, 24.0, 10), samples=40, box={2: 200.0, 3: 40.0}),
}


def _samples(n: int, T: np.ndarray, spec: MillerAbrahams) -> np.ndarray:
    m = (spec.delta_xi / T) ** (1.0 / (spec.d + 1))
    return np.maximum(n, np.rint(n * m / 8.0)).astype(np.int64)


def _fit(sweep: MottSweep, y: np.ndarray) -> np.ndarray:
    spec, err = sweep.spec, sweep.standard_error()
    unit = spec.nu * spec.xi**spec.d
    f = fit_mott(sweep.T, y, err)
    fixed = fit_mott(sweep.T, y, err, p=1.0 / (spec.d + 1))
    return np.array([f.p, f.T0 * unit, f.a, fixed.T0 * unit, fixed.a])


def _cp(sweep: MottSweep, y: np.ndarray, s_c: np.ndarray) -> np.ndarray:
    d, lnT = sweep.spec.d, np.log(sweep.T)
    beta = float(np.mean(s_c / sweep.mott)) ** (d + 1)
    p_cp = -np.polyfit(lnT, np.log(s_c), 1)[0]
    a_cp = np.polyfit(lnT, y + s_c, 1)[0]
    return np.array([beta, p_cp, a_cp])


def _rows(sweep: MottSweep) -> list[Row]:
    spec, d = sweep.spec, sweep.spec.d
    fit, fit_err = sweep.jackknife(lambda y, s: _fit(sweep, y))
    cp, cp_err = sweep.jackknife(lambda y, s: _cp(sweep, y, s))
    s_c = sweep.mean(sweep.s_c)
    params = {"d": d, "samples": [int(n) for n in sweep.samples],
              "temperatures": int(sweep.T.size),
              "T_range": [float(sweep.T.min()), float(sweep.T.max())],
              "s_c_range": [float(s_c.min()), float(s_c.max())],
              "box_mott_lengths": float(sweep.box_mott[0]),
              "box_xi": [float(sweep.box[:, 0].min()), float(sweep.box[:, 0].max())],
              "nodes": [int(sweep.nodes[sweep.nodes > 0].min()), int(sweep.nodes.max())],
              "bonds": [int(sweep.bonds[sweep.bonds > 0].min()), int(sweep.bonds.max())],
              "margin": spec.margin, "max_residual": float(sweep.residual)}
    short = {"d": d}

    def row(quantity, value, error, reference, source, **extra) -> Row:
        v, e = float(value), float(error)
        return Row(quantity, v, e, reference, source, params=extra, interval=interval(v, e))

    form = "ln A + a ln T - (T0/T)^p"
    return [row("p", fit[0], fit_err[0], 1.0 / (d + 1), MOTT, **params, fit=form),
            row("beta", fit[1], fit_err[1], BETA[d], SE, **short, fit=form,
                definition="T0 nu xi^d"),
            row("beta", fit[3], fit_err[3], BETA[d], SE, **short,
                fit=f"ln A + a ln T - (T0/T)^(1/{d + 1})", definition="T0 nu xi^d",
                a=round(float(fit[4]), 4)),
            row("beta_critical_path", cp[0], cp_err[0], BETA[d], SE, **short,
                definition="<s_c/m(T)>^(d+1)"),
            row("p_critical_path", cp[1], cp_err[1], 1.0 / (d + 1), MOTT, **short),
            row("a", fit[2], fit_err[2], None, MOTT, **short, fit=form),
            row("a_critical_path", cp[2], cp_err[2], None, MOTT, **short,
                definition="slope of <ln sigma + s_c> vs ln T")]


def _figure(sweeps: list[MottSweep], path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.8), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, sweep in zip(axes[:2], sweeps, strict=True):
        d = sweep.spec.d
        xs = sweep.T ** (-1.0 / (d + 1))
        y, err = sweep.mean(sweep.ln_sigma), sweep.standard_error()
        f = fit_mott(sweep.T, y, err)
        fine = np.geomspace(sweep.T.min(), sweep.T.max(), 200)
        ax.errorbar(xs, y, yerr=err, fmt="o", ms=4, capsize=3, label="network, mean ln sigma")
        ax.plot(fine ** (-1.0 / (d + 1)), f(fine), "C1-",
                label=f"fit {f.ln_A:.2f} + {f.a:.2f} ln T - ({f.T0:.3g}/T)^{f.p:.3f}")
        offset = float(np.mean(y + sweep.mean(sweep.s_c)))
        ax.plot(xs, offset - sweep.mean(sweep.s_c), "k--", label="critical path -s_c + const")
        ax.set_xlabel(r"$T^{-1/(d+1)}$ ($T$ in units of $1/(\nu\xi^d)$)")
        ax.set_ylabel(r"$\ln\sigma$")
        ax.set_title(f"d = {d}: {sweep.samples.min()}-{sweep.samples.max()} networks per T, "
                     f"box {sweep.box_mott[0]:g} Mott lengths")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        prefactor = sweep.ln_sigma + sweep.s_c
        axes[2].errorbar(np.log(sweep.T), sweep.mean(prefactor),
                         yerr=np.nanstd(prefactor, axis=0, ddof=1) / np.sqrt(sweep.samples),
                         fmt="o-", ms=4, capsize=3, label=f"d = {d}")
    axes[2].set_xlabel(r"$\ln T$")
    axes[2].set_ylabel(r"$\langle\ln\sigma + s_c\rangle$ (prefactor beyond the critical path)")
    axes[2].legend(fontsize=8)
    axes[2].grid(alpha=0.3)
    fig.suptitle("Mott variable-range hopping on Miller-Abrahams networks")
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    """Run the reproduction (one process; ``workers`` is unused)."""
    start = time.perf_counter()
    mode = MODES[quick]
    specs = [MillerAbrahams(d=d, margin=MARGIN) for d in (2, 3)]
    temps = [temperatures(spec, *mode["m"]) for spec in specs]
    counts = [_samples(mode["samples"], T, spec) for spec, T in zip(specs, temps, strict=True)]
    ticker = Ticker(progress, int(sum(c.sum() for c in counts)))
    sweeps = [mott_sweep(spec, T, (mode["box"][spec.d],) * spec.d, n, rng,
                         progress=lambda done: ticker.tick())
              for spec, T, n, rng in zip(specs, temps, counts, streams(SEED, len(specs)),
                                         strict=True)]
    rows = [r for sweep in sweeps for r in _rows(sweep)]
    fig = _figure(sweeps, output_directory(out, NAME, quick) / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
