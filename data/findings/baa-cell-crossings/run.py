"""BAA cells: why 2 and 3 cells cross at only 2 of 5 energy densities (baa-cells-mobility-edge).

The crossing lambda*(eps) of the mean gap ratio of 2 and 3 cells is read as a mobility edge
only if, on the localized side, <r> falls towards the Poisson value as the size grows. The
non-interacting limit lambda -> 0 is exact (free fermions): the many-body levels are the sums
of the occupied single-particle energies of the quadratic part (the cells' GOE levels and the
tunnelling I delta), so <r>(eps) at lambda = 0 is computed for 2-5 cells (sector dimensions 70,
924, 12,870 and 184,756 at half filling) with many realizations, in the same five windows of
eps = (E - E_min)/(E_max - E_min) as the reproduction. Checks:

1. the exact lambda = 0 spectrum against ED of the model at lambda = 0 (same realization);
2. <r>_0(eps) against the number of cells: how far from Poisson the localized reference of
   2 and 3 cells is, and in which direction it moves with the size;
3. the full-mode ED curves at the smallest lambda (0.01) against that limit.

python3 data/findings/baa-cell-crossings/run.py  ->  result.json beside this file.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import numpy as np

from mbl.models.baa_cells import BAACells
from mbl.observables import R_POISSON
from mbl.study.provenance import provenance
from mbl.study.tasks.spectrum import gap_ratio_by_energy_density

SEED = 20060501
LEVELS, I_TUNNEL, M_WINDOW, EPS_BINS = 4, 0.1, 3.0, 5  # as in baa-cells-mobility-edge
SAMPLES = {2: 8000, 3: 2000, 4: 300, 5: 40}


def many_body_energies(eps: np.ndarray, n: int) -> np.ndarray:
    """All sums of n distinct single-particle energies (the free-fermion spectrum), sorted."""
    m = eps.size
    # meet in the middle: energies of subsets of each half, combined by occupation number
    half = m // 2
    left = [np.array([sum(c) for c in itertools.combinations(eps[:half], k)])
            for k in range(half + 1)]
    right = [np.array([sum(c) for c in itertools.combinations(eps[half:], k)])
             for k in range(m - half + 1)]
    parts = [np.add.outer(left[k], right[n - k]).ravel()
             for k in range(max(0, n - (m - half)), min(half, n) + 1)]
    return np.sort(np.concatenate(parts))


def r_eps_free(model: BAACells, rng: np.random.Generator) -> np.ndarray:
    h = model.single_particle_matrix(model.draw_disorder(rng))
    E = many_body_energies(np.linalg.eigvalsh(h), model.n_sites // 2)
    return gap_ratio_by_energy_density(E, E[0], E[-1], EPS_BINS)[1]


def main() -> None:
    t0 = time.perf_counter()
    out = {"provenance": provenance(), "seed": SEED, "levels": LEVELS, "I": I_TUNNEL,
           "M": M_WINDOW, "eps_bins": EPS_BINS, "r_poisson": R_POISSON}
    # 1. the exact free spectrum against ED at lambda = 0 (2 and 3 cells)
    check = {}
    for n_cells in (2, 3):
        model = BAACells(shape=(n_cells,), levels=LEVELS, I=I_TUNNEL, lam=0.0, M=M_WINDOW)
        d = model.draw_disorder(np.random.default_rng([SEED, n_cells]))
        ed = np.linalg.eigvalsh(model.hamiltonian(disorder=d).toarray())
        free = many_body_energies(np.linalg.eigvalsh(model.single_particle_matrix(d)),
                                  model.n_sites // 2)
        check[n_cells] = float(np.abs(ed - free).max())
    out["ed_minus_free_max"] = check
    print("ED vs free fermions at lambda = 0, max |dE|:", check, flush=True)
    # 2. <r>_0(eps) against the number of cells
    rows = {}
    for n_cells, samples in SAMPLES.items():
        model = BAACells(shape=(n_cells,), levels=LEVELS, I=I_TUNNEL, lam=0.0, M=M_WINDOW)
        ts = time.perf_counter()
        r = np.array([r_eps_free(model, np.random.default_rng([SEED, n_cells, s]))
                      for s in range(samples)])
        mean, err = np.nanmean(r, axis=0), np.nanstd(r, axis=0, ddof=1) / np.sqrt(samples)
        rows[n_cells] = {"dimension": int(round(np.exp(
            sum(np.log(np.arange(1, model.n_sites + 1))) - 2 * sum(np.log(np.arange(
                1, model.n_sites // 2 + 1)))))), "samples": samples,
            "r_mean": mean.tolist(), "r_error": err.tolist(),
            "seconds": time.perf_counter() - ts}
        print(n_cells, "cells:", " ".join(f"{m:.4f}({e:.4f})" for m, e in zip(mean, err,
                                                                              strict=True)),
              flush=True)
    out["free_limit"] = rows
    # 3. the committed full-mode ED at the smallest lambda, for comparison
    full = Path(__file__).parents[2] / "reproductions" / "baa-cells-mobility-edge"
    out["ed_full_mode_source"] = str(full.relative_to(Path(__file__).parents[2].parent))
    out["seconds"] = time.perf_counter() - t0
    path = Path(__file__).with_name("result.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(path)


if __name__ == "__main__":
    main()
