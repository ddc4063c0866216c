"""``baa-transport``: sigma, kappa and the Lorentz number of the BAA metal
(docs/theory/metal.md §4.4).

The kinetic network of cells (:mod:`mbl.transport.kinetic`) with GOE levels and uniform
widths <Gamma> = x delta^2/(16 pi d T) is solved at fixed T for crossover variables
x = T^2/(delta T_el) from 1e-2 to 1e2 (quick) or 1e3 (full). Every realization is reused at all
x (only the widths change), so the curves are smooth in x and the fits below use the jackknife
over realizations for their errors.

Rows, for each system: L/L0 at the smallest x (BAA: 192 G^2/pi^4) and at the largest (1); the
coefficients a1 of fits y = a0 - a1/x + a2/x^2 over x >= 3 to sigma/sigma_inf and
kappa/kappa_inf (BAA: 2/3 and 14/5 - 24/pi^2) and b1 of L/L0 = b0 + b1/x + ... (0.298), for
the network and for the second-order effective medium (EMT2) of the same bonds; the low-x
prefactors of sigma/(sigma_inf x) and kappa/(kappa_inf x) from linear fits over x <= 0.1
(BAA: pi/4 and 48 G^2/pi^3), for the network and for Kirkpatrick's self-consistent medium;
and the low-x L/L0 extrapolated to T/delta -> infinity (below).

Finite bar. Between electrodes, the second-order (1/x) term of a bar is c < 1 times that of
the infinite lattice (:func:`mbl.transport.emt.bar_factor`: 0.84 at 6^3, 0.93 at 12^2); the
network's 1/x coefficients are reported divided by c (method "a1 / c").

Low x. For Gamma -> 0 a bond is Gamma times a random variable whose law does not depend on
x, so sigma/sigma_inf = C x with C a property of the bond law and the lattice. For
T/delta -> infinity the law is the index-1/2 stable (Levy) one, Laplace transform
exp(-sqrt(s c_G)) with c_G = (pi/4) x / d in units of sigma_inf; then kappa/sigma tends to the
ratio of the K and G scales, 192 G^2/pi^4, whatever the lattice, and BAA's pi/4 is
sigma = d c_G. For i.i.d. Levy bonds Kirkpatrick's medium would give sigma = 1.335 c_G (2D),
2.129 c_G (3D), the critical-path bond (the quantile at the bond-percolation threshold 1/2,
0.2488) 1.10 c_G and 4.97 c_G: low-x prefactors 0.524, 0.557 (EMA) and 0.432, 1.302 (critical
path). With GOE cells the rigid spectrum of the partner cell cuts the Levy law's lower tail
(a level l never lies far from all levels m), so the measured media come out larger.

Finite T/delta. BAA's limits hold for T >> delta. At finite T a bond is a sum of ~T/delta
terms, not yet a stable law (the partner cell's rigid GOE spectrum adds a regular part, which
weighs relatively more in G than in K), so the low-x Lorentz ratio may carry a correction
b delta/T. The levels are in units of delta, so each realization is also evaluated at lower
temperatures (``series``) at the smallest x, on the same levels; the fit
L/L0 = L_inf + b delta/T over those temperatures (jackknifed over realizations) gives L_inf
against 192 G^2/pi^4 and measures b.

Window. A typical low-x bond weights a level by sqrt(w) ~ e^(-|xi|/2T), so the window
|xi| < 22 T (:class:`mbl.transport.kinetic.KineticNetwork`) is set by the Levy scale, not by
<G>: the old 14 T lowered L/L0 by 1.4% (:func:`mbl.transport.kinetic_bonds.levy_window_bias`,
reported with each row; 4e-4 at 22 T).

Quick mode: d = 3 at 6^3 and d = 2 at 12^2 cells, T = 10 delta (series 5, 7.5, 10), 60
realizations each. Full mode: d = 3 at 8^3 and d = 2 at 24^2 cells, T = 30 delta (series 10,
20, 30), 100 realizations each (about 55 s of one core per realization, most of it the GOE
levels; run with --workers 2). Each realization has its own random stream (seed, system,
index) and is saved as it finishes under ``realizations/``, so the result does not depend on
the number of workers, and a killed run resumes where it stopped
(:func:`mbl.study.checkpoint.map_realizations`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

import numpy as np

from mbl.baa.closed_forms import (
    KAPPA_HIGH_T_COEF,
    KAPPA_LOW_T,
    LORENZ_HIGH_T_COEF,
    LORENZ_LOW_T,
    SIGMA_HIGH_T_COEF,
    SIGMA_LOW_T,
)
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.bethe_common import Ticker, interval
from mbl.study.checkpoint import map_realizations
from mbl.study.runner import Progress
from mbl.transport.emt import bar_factor
from mbl.transport.kinetic import (
    KineticNetwork,
    KineticSweep,
    jackknife,
    kinetic_points,
    lorenz_ratio,
)
from mbl.transport.kinetic_bonds import levy_window_bias

NAME = "baa-transport"
DESCRIPTION = "BAA kinetic network: sigma, kappa and L/L0 vs T^2/(delta T_el) against both limits"
SEED = 20050623
SOURCE = "BAA, Ann. Phys. 321, 1126 (2006); docs/theory/metal.md §4.4"
LOW = np.array([0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1])
HIGH = np.array([3.0, 5.0, 10.0, 20.0, 50.0, 100.0])
MODES = {
    True: dict(systems=((6, 6, 6), (12, 12)), T=10.0, series=(5.0, 7.5), samples=(60, 60),
               pair_cutoff=8.0, x=np.concatenate([LOW, [0.3, 1.0], HIGH])),
    False: dict(systems=((8, 8, 8), (24, 24)), T=30.0, series=(10.0, 20.0), samples=(100, 100),
                pair_cutoff=14.0,
                x=np.concatenate([LOW, [0.3, 1.0], HIGH, [200.0, 500.0, 1000.0]])),
}
HIGH_X, LOW_X = 3.0, 0.1
QUANTITIES = ((0, "sigma", SIGMA_HIGH_T_COEF, SIGMA_LOW_T, "pi/4"),
              (1, "kappa", KAPPA_HIGH_T_COEF, KAPPA_LOW_T, "48 G^2/pi^3"))


def _high_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(a0, a1, a2) of y = a0 - a1/x + a2/x^2 by least squares over x >= HIGH_X."""
    keep = x >= HIGH_X
    a2, minus_a1, a0 = np.polyfit(1.0 / x[keep], y[keep], 2)
    return np.array([a0, -minus_a1, a2])


def _low_fit(x: np.ndarray, y: np.ndarray) -> float:
    """Intercept of y/x = b0 + b1 x by least squares over x <= LOW_X."""
    keep = x <= LOW_X
    return float(np.polyfit(x[keep], y[keep] / x[keep], 1)[1])


@dataclass(frozen=True)
class _System:
    """One lattice: the sweep over x at the main T and, at x = LOW[0] on the same
    realizations, the temperature series (``series[:, :, k]`` at ``temperatures[k]``)."""

    sweep: KineticSweep
    temperatures: np.ndarray
    series: np.ndarray

    @cached_property
    def series_estimates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """L/L0 at each temperature, its errors, the fit (L_inf, b) and their errors."""
        values, errors = jackknife(self.series, lorenz_ratio)
        fit, fit_errors = jackknife(self.series, partial(_t_fit, self.temperatures))
        return values, errors, fit, fit_errors


def _t_fit(temperatures: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """(L_inf, b) of L/L0 = L_inf + b delta/T by least squares over the temperatures."""
    b, l_inf = np.polyfit(1.0 / temperatures, lorenz_ratio(mean), 1)
    return np.array([l_inf, b])


def _series_rows(system: _System, params: dict) -> list[Row]:
    temps = system.temperatures
    values, errors, (l_inf, b), (e_inf, e_b) = system.series_estimates
    extra = {**params, "x": float(LOW[0]), "temperatures": temps.tolist(),
             "L/L0_at_T": np.round(values, 5).tolist(), "errors": np.round(errors, 5).tolist(),
             "fit": "L_inf + b delta/T, least squares, jackknife errors"}
    del extra["T"]
    return [Row("L/L0_T_to_infinity", float(l_inf), float(e_inf), LORENZ_LOW_T, SOURCE,
                params=extra, interval=interval(float(l_inf), float(e_inf))),
            Row("L/L0_finite_T_coef", float(b), float(e_b), None, SOURCE, params=extra,
                interval=interval(float(b), float(e_b)))]


def _rows(system: _System) -> list[Row]:
    sweep = system.sweep
    x, spec = sweep.x, sweep.spec
    c = bar_factor(spec.shape)
    params = {"d": spec.d, "L": spec.shape[-1], "T": spec.T, "levels": spec.statistics,
              "samples": int(sweep.values.shape[0]), "window": spec.window,
              "window_bias_levy": float(f"{levy_window_bias(spec.window):.2e}")}
    high = f"a0 - a1/x + a2/x^2, x >= {HIGH_X:g}"

    def row(quantity, statistic, reference, **extra) -> Row:
        value, error = sweep.estimate(statistic)
        v, e = float(value), float(error)
        return Row(quantity, v, e, reference, SOURCE, params={**params, **extra},
                   interval=interval(v, e))

    rows = [row("L/L0", lambda m: lorenz_ratio(m)[0], LORENZ_LOW_T, x=float(x[0])),
            row("L/L0", lambda m: lorenz_ratio(m)[-1], 1.0, x=float(x[-1])),
            row("L/L0_high_T_coef", lambda m: -_high_fit(x, lorenz_ratio(m))[1] / c,
                LORENZ_HIGH_T_COEF, fit=f"b0 + b1/x + b2/x^2, x >= {HIGH_X:g}",
                method="network, b1 / c", bar_factor=round(c, 5))]
    for k, name, high_coef, low, low_name in QUANTITIES:
        rows += [
            row(f"{name}_high_T_coef", lambda m, k=k: _high_fit(x, m[k])[1] / c,
                high_coef, fit=high, method="network, a1 / c", bar_factor=round(c, 5)),
            row(f"{name}_high_T_coef", lambda m, k=k: _high_fit(x, m[k + 2])[1], high_coef,
                fit=high, method="EMT2 of the bonds"),
            row(f"{name}_low_T_prefactor", lambda m, k=k: _low_fit(x, m[k]), low,
                fit=f"(b0 + b1 x) x, x <= {LOW_X:g}", method="network", closed_form=low_name),
            row(f"{name}_low_T_prefactor", lambda m, k=k: _low_fit(x, m[k + 4]), low,
                fit=f"(b0 + b1 x) x, x <= {LOW_X:g}", method="Kirkpatrick EMA of the bonds",
                closed_form=low_name)]
    return rows + _series_rows(system, params)


def _series_panel(ax, systems: list[_System]) -> None:
    """L/L0 at the smallest x against delta/T, with the fits L_inf + b delta/T."""
    for n, system in enumerate(systems):
        temps = system.temperatures
        value, error, (l_inf, b), (e_inf, _) = system.series_estimates
        shape = "x".join(map(str, system.sweep.spec.shape))
        ax.errorbar(1.0 / temps, value, yerr=error, fmt="o", color=f"C{n}", ms=4, capsize=3,
                    label=f"$d={system.sweep.spec.d}$, {shape}: $L_\\infty = {l_inf:.4f} "
                          f"\\pm {e_inf:.4f}$")
        u = np.linspace(0.0, 1.0 / temps.min(), 50)
        ax.plot(u, l_inf + b * u, ":", color=f"C{n}")
    ax.axhline(LORENZ_LOW_T, color="k", ls="--", label=rf"BAA: $192G^2/\pi^4={LORENZ_LOW_T:.4f}$")
    ax.set_xlim(left=0.0)
    ax.set_xlabel(r"$\delta/T$")
    ax.set_ylabel(rf"$L/L_0$ at $x = {LOW[0]:g}$")
    ax.set_title("finite $T/\\delta$: same levels, lower $T$", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _figure(systems: list[_System], path: Path) -> Path:
    from matplotlib.figure import Figure

    sweeps = [system.sweep for system in systems]
    fig = Figure(figsize=(20, 4.8), layout="constrained")
    axes = fig.subplots(1, 4)
    _series_panel(axes[3], systems)
    axes = axes[:3]
    xs = np.geomspace(min(s.x.min() for s in sweeps), max(s.x.max() for s in sweeps), 200)
    lo, hi = xs[xs <= 1.0], xs[xs >= 1.0]
    for n, sweep in enumerate(sweeps):
        label = f"$d={sweep.spec.d}$, {'x'.join(map(str, sweep.spec.shape))} cells"
        stats = [lambda m: m[0], lambda m: m[1], lorenz_ratio]
        for ax, statistic in zip(axes, stats, strict=True):
            value, error = sweep.estimate(statistic)
            ax.errorbar(sweep.x, value, yerr=error, fmt="o-", color=f"C{n}", ms=4, capsize=3,
                        label=f"network, {label}")
        for ax, k in zip(axes[:2], (2, 3), strict=True):
            emt = sweep.values[:, k].mean(axis=0)
            ok = sweep.x >= 1.0
            ax.plot(sweep.x[ok], emt[ok], "x:", color=f"C{n}", label=f"2nd-order EMT, {label}")
    titles = [(r"$\sigma/\sigma_\infty$", SIGMA_LOW_T, SIGMA_HIGH_T_COEF,
               r"\pi x/4", r"1-\frac{2}{3x}"),
              (r"$\kappa/\kappa_\infty$", KAPPA_LOW_T, KAPPA_HIGH_T_COEF,
               r"\frac{48G^2}{\pi^3}x", r"1-\frac{0.368}{x}")]
    for ax, (ylabel, low, high, low_tex, high_tex) in zip(axes[:2], titles, strict=True):
        ax.plot(lo, low * lo, "k--", label=f"BAA low $T$: ${low_tex}$")
        ax.plot(hi, 1 - high / hi, "k-.", label=f"BAA high $T$: ${high_tex}$")
        ax.set_yscale("log")
        ax.set_ylim(0.5 * low * xs[0], 1.5)
        ax.set_ylabel(ylabel)
    axes[2].axhline(LORENZ_LOW_T, color="k", ls="--",
                    label=rf"BAA low $T$: $192G^2/\pi^4={LORENZ_LOW_T:.4f}$")
    axes[2].plot(hi, 1 + LORENZ_HIGH_T_COEF / hi, "k-.", label=r"BAA high $T$: $1+0.298/x$")
    axes[2].axhline(1.0, color="grey", lw=0.8)
    axes[2].set_ylabel(r"Lorentz ratio $L/L_0 = 3\kappa/(\pi^2\sigma T)$")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel(r"$x = T^2/(\delta\,T_{el}) = 16\pi d\,T\langle\Gamma\rangle/\delta^2$")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.suptitle(f"BAA kinetic network, GOE cells, $T = {sweeps[0].spec.T:g}\\,\\delta$: "
                 "transport vs the crossover variable")
    return save_figure(fig, path)


def _realization(s: int, *, spec: KineticNetwork, points: list[tuple[float, float]],
                 system: int) -> np.ndarray:
    """Realization ``s`` of system ``system``: its own stream, whoever computes it."""
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(system, s)))
    return kinetic_points(spec, points, rng)


def _system(index: int, spec: KineticNetwork, mode: dict, samples: int, base: Path,
            workers: int, ticker: Ticker) -> _System:
    """The system's realizations, on ``workers`` processes, checkpointed under ``base``."""
    x, temps = mode["x"], np.array([*mode["series"], spec.T])
    points = [(spec.T, float(v)) for v in x] + [(float(T), float(LOW[0])) for T in temps]
    manifest = {"reproduction": NAME, "seed": SEED, "system": index,
                "spec": dataclasses.asdict(spec), "points": points}
    done = [0]

    def progress(n_done: int, total: int, failed: int) -> None:
        ticker.tick(n_done - done[0])
        done[0] = n_done

    values = map_realizations(partial(_realization, spec=spec, points=points, system=index),
                              samples, base / "realizations" / "x".join(map(str, spec.shape)),
                              manifest, workers=workers, progress=progress)
    return _System(KineticSweep(spec, x, values[:, :, :x.size]), temps, values[:, :, x.size:])


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    """Run (or resume: realizations are checkpointed one by one) the reproduction."""
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    ticker = Ticker(progress, sum(mode["samples"]))
    systems = [_system(n, KineticNetwork(shape=shape, T=mode["T"],
                                         pair_cutoff=mode["pair_cutoff"]),
                       mode, samples, base, workers, ticker)
               for n, (shape, samples) in enumerate(zip(mode["systems"], mode["samples"],
                                                        strict=True))]
    rows = [r for system in systems for r in _rows(system)]
    fig = _figure(systems, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
