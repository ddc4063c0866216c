"""Linear stability of the insulator on a finite lattice of cells: the on-shell linearized SCBA.

The second, lattice-based estimate of T_c (docs/findings/baa-tc-constant.md). At Gamma -> 0 the
on-shell SCBA of :mod:`mbl.baa.scba` (docs/theory/scba.md §2.2) becomes the linear map

    Gamma_l = sum'_{l1 l2 l3} c (Gamma_1 + Gamma_2 + Gamma_3),   c = lam^2 F(xi1, xi2; xi3) / x^2,
    x = xi_l - xi_1 - xi_2 + xi_3,

with the primed sum of :func:`mbl.baa.scba.solve` (l2 in the window of l, l1 in that of l3, four
distinct levels, Y = 0 removed); with the same quartet excluded from each partner's own sum
(the cavity rule of docs/theory/insulator.md §3.3) it generates paths through the levels of the
lattice. Its stability is the growth per generation of the beta-th moments along these paths,
lambda(beta) (docs/theory/bethe-lattice.md §6.2), minimized over beta, as on the tree of
:mod:`mbl.baa.stability`. Here the levels are the actual levels of drawn cells (GOE or Poisson,
:func:`mbl.baa.scba.draw_cells`) and every mismatch is the on-shell one of its quartet (the
closure of the lattice engine; the tree instead carries the off-shell energy along the path).

Because the on-shell weights of a level's children do not depend on how the level was reached,
the beta-moment growth of the path sum is the Perron root of the mean offspring matrix of a
multi-type branching process whose type is the level energy xi (binned): entry (i, j) is the
mean over the parent levels in bin j of sum over their triples of c^beta, once for each child
in bin i. The matrix is built by exact enumeration of every triple of sampled parent levels.
Returns through the same quartet are excluded by the cavity rule, and longer loops are
neglected (the lattice is read as locally tree-like). This is the ensemble-averaged (annealed)
growth rate of the infinite lattice.

The resonance singularity: at the optimal beta (1 - 2 beta ~ 1/ln(1/lam)) a sizeable part of
lambda(beta) comes from mismatches far below any finite lattice's smallest |x|, so the sum is
not taken literally there. Quartets with |x| < ``x_cut`` get the mean of |x|^(-2 beta) over a
flat density on [-x_cut, x_cut], x_cut^(-2 beta) / (1 - 2 beta), which is exact for the
ensemble as long as the density of mismatches is flat on that scale (it varies on the scale
delta; x_cut = 0.05 delta by default). Units: delta = 1; lam^(2 beta) is factored out, so one
enumeration serves every lambda.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from mbl._core.errors import InputError
from mbl.baa.scba import Cells, _pair, fermi

#: Exponents beta over which lambda(beta) is minimized (finer than the tree's near 1/2).
BETAS = tuple(np.round(np.arange(0.40, 0.4951, 0.005), 3))


@numba.njit(cache=True, parallel=True)
def _parent_sums(xi, f, lo, hi, pc, pl, betas, x_cut, e0, width, n_bins,
                 out):  # pragma: no cover - numba
    """out[p, k, i]: sum over the triples of parent p = (cell pc[p], level pl[p]) of
    (F / x^2)^betas[k], once for each of the three children whose level lies in bin i
    (bins of ``width`` from ``e0``; children outside are dropped). |x| < x_cut: the flat-density
    mean x_cut^(-2 beta) / (1 - 2 beta) replaces |x|^(-2 beta) (x_cut = 0: no replacement)."""
    n_p = pc.size
    n = xi.shape[1]
    nb = betas.size
    for p in numba.prange(n_p):
        c = pc[p]
        l = pl[p]  # noqa: E741
        e = xi[c, l]
        acc = np.zeros((nb, n_bins))
        for l2 in range(lo[c, l], hi[c, l]):
            if l2 == l:
                continue
            i2 = int(math.floor((xi[c, l2] - e0) / width))
            f2 = f[c, l2]
            for l3 in range(n):
                if l3 == l or l3 == l2:
                    continue
                p2 = lo[c, l3] <= l2 < hi[c, l3]
                f3 = f[c, l3]
                i3 = int(math.floor((xi[c, l3] - e0) / width))
                base = e - xi[c, l2] + xi[c, l3]
                for l1 in range(lo[c, l3], hi[c, l3]):
                    if l1 == l or l1 == l2 or l1 == l3:
                        continue
                    if p2 and lo[c, l] <= l1 < hi[c, l]:
                        continue  # Y = 0
                    F = _pair(f[c, l1], f2, f3)
                    if F <= 0.0:
                        continue
                    ax = abs(base - xi[c, l1])
                    flat = ax < x_cut
                    lw = math.log(F) - 2.0 * math.log(x_cut if flat else ax)
                    i1 = int(math.floor((xi[c, l1] - e0) / width))
                    for k in range(nb):
                        w = math.exp(betas[k] * lw)
                        if flat:
                            w /= 1.0 - 2.0 * betas[k]
                        if 0 <= i1 < n_bins:
                            acc[k, i1] += w
                        if 0 <= i2 < n_bins:
                            acc[k, i2] += w
                        if 0 <= i3 < n_bins:
                            acc[k, i3] += w
        for k in range(nb):
            for i in range(n_bins):
                out[p, k, i] = acc[k, i]


def perron_root(matrix: np.ndarray) -> float:
    """Spectral radius of a non-negative square matrix (its Perron root)."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(matrix, dtype=float)))))


@dataclass(frozen=True)
class OnshellMoments:
    """Mean offspring matrices of the on-shell linearized SCBA on a lattice, lam^(2 beta)
    factored out (see the module docstring), kept per cell for a jackknife over cells.

    Attributes
    ----------
    T : float
    betas : numpy.ndarray
    edges : numpy.ndarray
        Bin edges of the level energy (units of delta).
    sums : numpy.ndarray, shape (n_cells, len(betas), bins, bins)
        ``sums[c, k, i, j]``: over the parents of cell c in bin j, the total weight of their
        children in bin i, with lam^(2 betas[k]) left out.
    counts : numpy.ndarray of int, shape (n_cells, bins)
        Parent levels per cell and bin.
    lam : float
        lambda of the cells' parameters (the default of :meth:`growth`).
    """

    T: float
    betas: np.ndarray
    edges: np.ndarray
    sums: np.ndarray
    counts: np.ndarray
    lam: float

    @staticmethod
    def _operator(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
        return sums / np.maximum(counts, 1)[None, None, :]

    @property
    def operator(self) -> np.ndarray:
        """``operator[k, i, j]``: mean over all parents in bin j (lam^(2 beta) left out)."""
        return self._operator(self.sums.sum(axis=0), self.counts.sum(axis=0))

    def _growth(self, op: np.ndarray, lam: float | None) -> np.ndarray:
        lam = self.lam if lam is None else float(lam)
        return np.array([lam ** (2.0 * b) * perron_root(k)
                         for b, k in zip(self.betas, op, strict=True)])

    def growth(self, lam: float | None = None) -> np.ndarray:
        """lambda(beta) for every beta at interaction ``lam`` (default: the cells')."""
        return self._growth(self.operator, lam)

    def growth_rate(self, lam: float | None = None) -> float:
        """Lambda = min over beta of lambda(beta)."""
        return float(self.growth(lam).min())

    def leave_one_out(self, lam: float | None = None) -> np.ndarray:
        """Lambda with each cell left out in turn (the jackknife samples), shape (n_cells,)."""
        s, n = self.sums.sum(axis=0), self.counts.sum(axis=0)
        return np.array([self._growth(self._operator(s - self.sums[c], n - self.counts[c]),
                                      lam).min() for c in range(self.sums.shape[0])])


def onshell_moments(cells: Cells, T: float, *, betas=BETAS, x_cut: float = 0.05,
                    half_width: float = 10.0, bins: int = 20, parents: int = 100,
                    rng: np.random.Generator) -> OnshellMoments:
    """The on-shell linearized SCBA's beta-moment offspring matrices on the lattice ``cells``.

    Parameters
    ----------
    cells : Cells
        From :func:`mbl.baa.scba.draw_cells`; every cell must hold the levels within about
        14 T of the Fermi energy (the thermal factor of the partner l3 decays like
        exp(-beta |xi_3| / T); ``levels_for(T, M, window=14)``).
    T : float
        Temperature (units of delta).
    betas : sequence of float
        Exponents in (0, 1/2).
    x_cut : float
        Mismatches below it get the flat-density mean of |x|^(-2 beta) (module docstring).
    half_width, bins : float, int
        The level energies are binned in ``bins`` equal bins on [-half_width T, half_width T].
    parents : int
        Parent levels per cell, drawn without replacement from those in the bins; every triple
        of each is enumerated (about M^2 n_levels of them).
    rng : numpy.random.Generator
    """
    if not isinstance(cells, Cells):
        raise InputError("cells must come from mbl.baa.scba.draw_cells.")
    for name, v in (("T", T), ("half_width", half_width)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise InputError(f"{name} must be a finite positive number, got {v!r}.")
    if not (isinstance(x_cut, (int, float)) and math.isfinite(x_cut) and x_cut >= 0):
        raise InputError(f"x_cut must be finite and >= 0, got {x_cut!r}.")
    for name, v in (("bins", bins), ("parents", parents)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InputError(f"{name} must be a positive integer, got {v!r}.")
    b = np.atleast_1d(np.asarray(betas, dtype=float))
    if b.ndim != 1 or b.size == 0 or not np.all((b > 0) & (b < 0.5)):
        raise InputError(f"betas must lie in (0, 1/2), got {betas!r}.")
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng must be a numpy.random.Generator (numpy.random.default_rng).")
    T = float(T)
    e0, width = -half_width * T, 2.0 * half_width * T / bins
    pc, pl = [], []
    for c in range(cells.n_cells):
        inside = np.flatnonzero(np.abs(cells.xi[c]) < half_width * T)
        pick = rng.choice(inside, size=min(int(parents), inside.size), replace=False)
        pc.append(np.full(pick.size, c))
        pl.append(np.sort(pick))
    pc, pl = np.concatenate(pc).astype(np.int64), np.concatenate(pl).astype(np.int64)
    out = np.zeros((pc.size, b.size, bins))
    _parent_sums(cells.xi, fermi(cells.xi, T), cells.lo, cells.hi, pc, pl, b, float(x_cut),
                 e0, width, int(bins), out)
    home = np.clip(np.floor((cells.xi[pc, pl] - e0) / width).astype(int), 0, bins - 1)
    sums = np.zeros((cells.n_cells, b.size, bins, bins))
    counts = np.zeros((cells.n_cells, bins), dtype=np.int64)
    for p in range(pc.size):
        sums[pc[p], :, :, home[p]] += out[p]
        counts[pc[p], home[p]] += 1
    return OnshellMoments(T, b, e0 + width * np.arange(bins + 1), sums, counts,
                          cells.params.lambda_)
