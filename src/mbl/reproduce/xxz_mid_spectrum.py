"""``xxz-mid-spectrum``: the random-field Heisenberg chain at eps = 0.5 beyond dense sizes.

The k eigenpairs nearest eps = 0.5 by shift-invert (MUMPS when installed, else SuperLU) give
the mean gap ratio and half-chain entanglement vs W for L up to 16 (quick) or 20 (full); the
crossings of consecutive sizes drift to larger W as L grows (Luitz, Laflorencie & Alet 2015
find 3.72(6) from L <= 22; Sierant, Lewenstein & Zakrzewski 2020 see the drift continue). The
solver is cross-checked at L = 14 against dense ED of the same Hamiltonians: the k levels
nearest the target must agree to rounding.
"""

from __future__ import annotations

import time
from math import comb
from pathlib import Path

import numpy as np

from mbl.models import XXZChain
from mbl.observables import gap_ratios
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.crossings import crossing_figure, crossing_rows, size_studies
from mbl.solvers.plan import can_factorize
from mbl.solvers.shift_invert import has_mumps, shift_invert
from mbl.study.runner import Progress

NAME = "xxz-mid-spectrum"
SEED = 20150207
K = 50
REFERENCE = (3.72, 0.06, "Luitz, Laflorencie & Alet, PRB 91, 081103(R) (2015), L <= 22")
W_GRID = [1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0]
CHECK = dict(L=14, W=3.0, samples=4)
MODES = {
    True: dict(samples={12: 200, 14: 80, 16: 20}),
    False: dict(samples={12: 1000, 14: 400, 16: 200, 18: 100, 20: 50}),
}


def _config(L: int, samples: int) -> dict:
    return {
        "study": {"kind": "spectrum", "seed": SEED, "samples": samples},
        "model": {"name": "xxz", "L": L, "J": 1.0, "Delta": 1.0, "bc": "periodic", "sz": 0.0},
        "grid": {"W": W_GRID},
        "solver": {"method": "shift_invert", "energy_density": 0.5, "k": K},
        "observables": {"names": ["gap_ratio", "entanglement"]},
    }


def _dense_check() -> list[Row]:
    """At L = 14: the K pairs nearest eps = 0.5 by shift-invert against dense ED of the same
    Hamiltonians (largest energy difference relative to the spectral scale, and of mean r)."""
    L, W, n = CHECK["L"], CHECK["W"], CHECK["samples"]
    model = XXZChain(L=L, W=W, bc="periodic")
    dE = dr = 0.0
    for sample in range(n):
        H = model.hamiltonian(sz=0, rng=np.random.default_rng([SEED, sample]))
        w = np.linalg.eigvalsh(H.toarray())
        sigma = 0.5 * (w[0] + w[-1])
        ref = np.sort(w[np.argsort(np.abs(w - sigma))[:K]])
        got = shift_invert(H, sigma=sigma, k=K).energies
        dE = max(dE, float(np.abs(got - ref).max() / np.abs(w).max()))
        dr = max(dr, abs(float(np.mean(gap_ratios(got)) - np.mean(gap_ratios(ref)))))
    src = f"{n} realizations, the {K} levels nearest eps = 0.5, shift-invert vs dense ED"
    return [Row("E_window_minus_dense", dE, None, 0.0, src + " (relative to max |E|)",
                params={"L": L, "W": W}),
            Row("r_window_minus_dense", dr, None, 0.0, src, params={"L": L, "W": W})]


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    # the chains whose S^z = 0 sector a shift-invert backend here factorizes
    samples = {L: n for L, n in MODES[quick]["samples"].items() if can_factorize(comb(L, L // 2))}
    base = output_directory(out, NAME, quick)
    sets = size_studies(_config, samples, base, workers=workers, progress=progress)
    curves = {L: ds["r_mean"] for L, ds in sets.items()}
    rows = crossing_rows({L: c.sel(W=slice(2.0, 5.0)) for L, c in curves.items()}, degree=2,
                         seed=SEED, reference=REFERENCE, params={"Delta": 1.0, "eps": 0.5})
    rows += _dense_check()
    backend = "MUMPS" if has_mumps() else "SuperLU"
    fig = crossing_figure(curves, rows[0], base / f"{NAME}.png",
                          reference_label="Luitz et al.: $W_c = 3.72$",
                          ylabel=rf"mean gap ratio of the {K} levels nearest $\epsilon = 0.5$",
                          unit="$J$",
                          title=f"XXZ chain, shift-invert ({backend}), $\\Delta = 1$, $S^z = 0$")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
