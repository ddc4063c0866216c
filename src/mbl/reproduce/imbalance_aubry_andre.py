"""``imbalance-aubry-andre``: long-time imbalance of the interacting Aubry–André chain.

The XXZ chain in the quasiperiodic field h_i = W cos(2 pi beta i + phi), beta the golden
mean, phi uniform (docs/conventions.md §2), open boundaries, S^z = 0, starts in the Néel state (the
density wave of Schreiber et al., Science 349, 842 (2015)) and evolves; the imbalance
I(t) = sum_i z_i(0) <sigma^z_i(t)> / L is averaged over the stored (log-spaced) times of the
last decade, t in [t_max / 10, t_max], and over phases.

Without interactions (Delta = 0) the chain is free fermions with hopping J/2 in the potential
h_i: the Aubry–André model, whose eigenstates are all extended for W < J and all localized for
W > J (self-duality, Aubry & André 1980). Its imbalance follows exactly from the one-body
propagator, n_i(t) = sum_j |U_ij(t)|^2 n_j(0): averaged over the same times, on its own
phases, it is the reference of the Delta = 0 rows and checks the many-body evolution (dense
or Krylov). (At weak W the dynamics barely depends on the phase, so the oscillations sampled
at fixed times do not average out over phases: the infinite-time value, the diagonal ensemble
<n_i(inf)> = sum_k |phi_k(i)|^2 sum_j |phi_k(j)|^2 n_j(0), is drawn on the figure, not
compared.) With interactions (Delta = 1) there is no closed
form; the imbalance stays finite only at larger W (the many-body localized phase), which the
figure shows against the free-fermion curve.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.models.chains import GOLDEN
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.crossings import size_studies
from mbl.scaling import mean_and_error
from mbl.study.runner import Progress

NAME = "imbalance-aubry-andre"
SEED = 20150807
SOURCE = "Schreiber et al., Science 349, 842 (2015); Aubry & André (1980): W_c = J at Delta = 0"
W_GRID = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0]
DELTAS = [0.0, 1.0]
#: Phases of the exact free-fermion reference (its standard error is reported with it).
REFERENCE_PHASES = 4000
MODES = {
    True: dict(samples={10: 60, 12: 60}, t_max=1e3),
    False: dict(samples={12: 200, 14: 100, 16: 30}, t_max=1e4),
}


def _config(L: int, samples: int, t_max: float) -> dict:
    return {
        "study": {"kind": "dynamics", "seed": SEED, "samples": samples},
        "model": {"name": "aubry_andre", "L": L, "J": 1.0, "bc": "open", "sz": 0.0},
        "grid": {"Delta": DELTAS, "W": W_GRID},
        "solver": {"t_min": 0.1, "t_max": t_max, "n_times": 41, "initial": "neel"},
        "observables": {"names": ["imbalance"]},
    }


def free_fermion_imbalance(L: int, W: float, phases: np.ndarray, J: float = 1.0,
                           times: np.ndarray | None = None) -> np.ndarray:
    """Imbalance of free fermions (hopping J/2, potential W cos(2 pi beta i + phi)) from the
    Néel state (sites 1, 3, ... occupied), one value per phase.

    With ``times`` the mean of I(t) over those times, from the exact one-body propagator:
    n_i(t) = sum_j |U_ij(t)|^2 n_j(0), U = exp(-i h t), exact for a product state. Without,
    the infinite-time value, the diagonal ensemble of the one-body density matrix (the
    occupation of each one-body eigenstate is conserved and the cross terms dephase; the
    Aubry–André spectrum is non-degenerate).
    """
    sites = np.arange(L)
    n0 = (sites % 2 == 1).astype(float)
    z0 = 2.0 * n0 - 1.0
    hop = np.diag(np.full(L - 1, 0.5 * J), 1)
    out = np.empty(phases.size)
    for s, phi in enumerate(phases):
        h = np.diag(W * np.cos(2 * np.pi * GOLDEN * sites + phi)) + hop + hop.T
        eps, phi_k = np.linalg.eigh(h)
        if times is None:
            weight = phi_k**2  # (site, k)
            n_t = (weight @ (weight.T @ n0))[:, None]
        else:
            U = np.einsum("ik,kt,jk->tij", phi_k, np.exp(-1j * np.outer(eps, times)), phi_k)
            n_t = (np.abs(U) ** 2 @ n0).T  # (site, time)
        out[s] = float(np.mean(z0 @ (2.0 * n_t - 1.0))) / L
    return out


def late_times(ds: xr.Dataset, t_max: float) -> np.ndarray:
    """The stored times in the late window [t_max / 10, t_max]."""
    t = ds["times"].isel(Delta=0, W=0, sample=0).values
    return t[(t >= t_max / 10) & (t <= t_max * (1 + 1e-12))]


def late_imbalance(ds: xr.Dataset, t_max: float) -> xr.DataArray:
    """Per (Delta, W, sample): the mean of I(t) over the stored times in the late window."""
    t = ds["times"].isel(Delta=0, W=0, sample=0).values
    late = (t >= t_max / 10) & (t <= t_max * (1 + 1e-12))
    return ds["imbalance"].isel(time=np.flatnonzero(late)).mean("time")


def _figure(sets: dict[int, xr.Dataset], late: dict[int, xr.DataArray],
            infinite: dict[float, float], t_max: float, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.4), layout="tight")
    left, right = fig.subplots(1, 2)
    L = max(sets)
    ds = sets[L]
    t = ds["times"].isel(Delta=0, W=0, sample=0).values[1:]
    for i, W in enumerate([0.5, 1.5, 3.0, 6.0]):
        imb, err = mean_and_error(ds["imbalance"].sel(Delta=1.0, W=W).values.T)
        left.plot(t, imb[1:], color=f"C{i}", label=f"W = {W:g}")
        left.fill_between(t, imb[1:] - err[1:], imb[1:] + err[1:], color=f"C{i}", alpha=0.3)
    left.axvspan(t_max / 10, t_max, color="0.9", zorder=0, label="late-time window")
    left.set_xscale("log")
    left.set_xlabel(r"time $t$ (units of $\hbar/J$)")
    left.set_ylabel(r"imbalance $\langle I(t)\rangle$")
    left.set_title(f"interacting Aubry-André chain, $\\Delta$ = 1, L = {L}, Néel start")
    markers = {0.0: "o", 1.0: "s"}
    for i, (size, lt) in enumerate(sorted(late.items())):
        for D in DELTAS:
            m, e = mean_and_error(lt.sel(Delta=D).values)
            right.errorbar(W_GRID, m, yerr=e, marker=markers[D], ms=4, capsize=3,
                           ls="-" if D else "--", color=f"C{i}",
                           label=f"L = {size}, $\\Delta$ = {D:g} (ED)")
    right.plot(W_GRID, [infinite[W] for W in W_GRID], "k:", lw=1.5,
               label=f"free fermions, exact $t\\to\\infty$, L = {L}")
    right.axvline(1.0, color="C7", ls="-.", lw=1, label="Aubry-André $W_c = J$")
    right.set_xscale("log")
    right.set_xticks([0.25, 0.5, 1.0, 2.0, 4.0, 6.0], ["0.25", "0.5", "1", "2", "4", "6"])
    right.set_xticks([], minor=True)
    right.set_xlabel(r"quasiperiodic strength $W$ (units of $J$)")
    right.set_ylabel(r"late-time imbalance $\overline{I}$")
    right.set_title("localization keeps the density wave")
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    sets = size_studies(lambda L, n: _config(L, n, mode["t_max"]), mode["samples"], base,
                        workers=workers, progress=progress)
    late = {L: late_imbalance(ds, mode["t_max"]).transpose("Delta", "W", "sample")
            for L, ds in sets.items()}
    L = max(sets)
    phases = np.random.default_rng(SEED).uniform(0.0, 2 * np.pi, REFERENCE_PHASES)
    times = late_times(sets[L], mode["t_max"])
    reference, infinite = {}, {}
    for W in W_GRID:  # the same window average, and t -> infinity, of exact free fermions
        ff = free_fermion_imbalance(L, W, phases, times=times)
        reference[W] = (float(ff.mean()), float(ff.std(ddof=1) / np.sqrt(ff.size)))
        infinite[W] = float(free_fermion_imbalance(L, W, phases[:500]).mean())
    rows = []
    for D in DELTAS:
        m, e = mean_and_error(late[L].sel(Delta=D).values)
        for W, mean, err in zip(W_GRID, m, e, strict=True):
            if D == 0:
                ref, ref_err = reference[W]
                src = ("free fermions, exact one-body evolution averaged over the same "
                       f"times, {REFERENCE_PHASES} phases; {SOURCE}")
            else:
                ref, ref_err, src = None, None, f"interacting: no closed form ({SOURCE})"
            rows.append(Row("imbalance_late", float(mean), float(err), ref, src,
                            params={"L": L, "Delta": D, "W": W,
                                    "t": [mode["t_max"] / 10, mode["t_max"]]},
                            reference_error=ref_err))
    fig = _figure(sets, late, infinite, mode["t_max"], base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
