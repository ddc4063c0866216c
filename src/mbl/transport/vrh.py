"""Mott's law from Miller–Abrahams networks: temperature sweeps and the fit of the exponent.

:func:`mott_sweep` solves ``samples`` independent networks (:func:`hopping_sample`) at each
temperature; :func:`fit_mott` fits

    ln sigma = ln A + a ln T - (T_0 / T)^p

(the prefactor A T^a stated, both free) by weighted least squares, profiling over p: for
fixed p the model is linear in (ln A, a, T_0^p). :meth:`MottSweep.jackknife` gives the
errors of any statistic of the sample means from delete-one-realization replicas.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from mbl._core.errors import InputError
from mbl.transport.hopping import MillerAbrahams, hopping_sample, mott_scale

#: Exponents p searched by :func:`fit_mott`.
P_RANGE = (0.05, 1.5)


@dataclass(frozen=True)
class MottFit:
    """ln sigma = ln_A + a ln T - (T0 / T)^p; ``chi2`` with ``dof`` degrees of freedom."""

    p: float
    T0: float
    a: float
    ln_A: float
    chi2: float
    dof: int

    def __call__(self, T) -> np.ndarray:
        T = np.asarray(T, dtype=float)
        return self.ln_A + self.a * np.log(T) - (self.T0 / T) ** self.p


def _linear(p: float, lnT: np.ndarray, y: np.ndarray, w: np.ndarray
            ) -> tuple[np.ndarray, float]:
    X = np.column_stack([np.ones_like(lnT), lnT, -np.exp(-p * lnT)])
    coef, *_ = np.linalg.lstsq(X * w[:, None], y * w, rcond=None)
    return coef, float((((X @ coef) - y) * w) @ (((X @ coef) - y) * w))


def fit_mott(T, ln_sigma, error=None, *, p: float | None = None) -> MottFit:
    """Weighted least-squares fit of ln sigma = ln A + a ln T - (T0/T)^p (see module doc).

    ``error``: one standard error per point (None: unit weights). Needs >= 5 temperatures.
    p is the minimum of the profiled chi^2 over :data:`P_RANGE` (a grid, then Brent); when
    the minimum is at an end of the range, or the activated term has the wrong sign, the data
    do not determine p and every parameter is NaN. With ``p`` given, only (ln A, a, T0) are
    fitted (a linear least-squares problem).
    """
    T, y = np.asarray(T, dtype=float), np.asarray(ln_sigma, dtype=float)
    if T.shape != y.shape or T.ndim != 1 or T.size < 5 or np.any(T <= 0):
        raise InputError(f"fit_mott needs >= 5 positive temperatures with one ln sigma each; "
                         f"got T {T.shape}, ln sigma {y.shape}")
    err = np.ones_like(y) if error is None else np.asarray(error, dtype=float)
    if err.shape != y.shape or not np.all(np.isfinite(err) & (err > 0)):
        raise InputError("error must hold one finite, positive standard error per point")
    w = 1.0 / err
    lnT = np.log(T)
    scale = float(np.exp(-lnT.mean()))  # fit in T / T_ref for conditioning
    lnT = lnT - lnT.mean()
    fixed = p is not None
    if fixed and not (np.isfinite(p) and p > 0):
        raise InputError(f"a fixed exponent p must be finite and > 0, got {p!r}")
    if not fixed:
        grid = np.linspace(*P_RANGE, 146)
        chi = [_linear(q, lnT, y, w)[1] for q in grid]
        k = int(np.argmin(chi))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
        best = minimize_scalar(lambda q: _linear(q, lnT, y, w)[1], bounds=(lo, hi),
                               method="bounded", options={"xatol": 1e-7})
        p = float(best.x)
    (ln_A, a, c), chi2 = _linear(p, lnT, y, w)
    if c <= 0 or (not fixed and min(p - P_RANGE[0], P_RANGE[1] - p) < 1e-4):
        # no activated term, or no interior minimum: the data do not fix p
        return MottFit(math.nan, math.nan, math.nan, math.nan, chi2, int(T.size - 4 + fixed))
    T0 = c ** (1.0 / p) / scale
    # undo the shift lnT -> lnT - mean: ln A' = ln A - a mean(ln T)
    ln_A = float(ln_A + a * math.log(scale))
    return MottFit(float(p), float(T0), float(a), ln_A, chi2, int(T.size - 4 + fixed))


@dataclass(frozen=True)
class MottSweep:
    """Networks solved at temperatures ``T``: arrays of shape (max samples, len(T)).

    ``ln_sigma`` (ln of the conductivity), ``s_c`` (critical-path thresholds), ``nodes`` and
    ``bonds`` (sizes of the solved networks), ``seconds`` (solve times), padded with NaN (0
    for the counts) beyond ``samples[t]`` networks at T[t]; ``box`` (len(T), d) the box
    lengths; ``residual`` the worst Kirchhoff residual or current mismatch of all solves.
    """

    spec: MillerAbrahams
    T: np.ndarray
    box_mott: tuple[float, ...]
    samples: np.ndarray
    ln_sigma: np.ndarray
    s_c: np.ndarray
    nodes: np.ndarray
    bonds: np.ndarray
    seconds: np.ndarray
    box: np.ndarray
    residual: float

    @property
    def mott(self) -> np.ndarray:
        """m(T) at each temperature (:func:`mbl.transport.hopping.mott_scale`)."""
        return np.array([mott_scale(self.spec, float(t)) for t in self.T])

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Mean over the networks at each temperature of a (max samples, len(T)) array."""
        return np.nanmean(values, axis=0)

    def jackknife(self, statistic: Callable[[np.ndarray, np.ndarray], np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray]:
        """``statistic(ln_sigma_mean, s_c_mean)`` and its grouped-jackknife error.

        The networks at each T are split into B = min(samples) groups; replica b drops group
        b at every T (all draws are independent, so any grouping is valid).
        """
        B = int(self.samples.min())
        if B < 2:
            raise InputError("a jackknife error needs at least 2 samples per temperature")
        value = np.asarray(statistic(self.mean(self.ln_sigma), self.mean(self.s_c)), float)
        group = np.full(self.ln_sigma.shape, -1)
        for t, n in enumerate(self.samples):
            for b, idx in enumerate(np.array_split(np.arange(n), B)):
                group[idx, t] = b
        reps = []
        for b in range(B):
            drop = group == b
            reps.append(statistic(self.mean(np.where(drop, np.nan, self.ln_sigma)),
                                  self.mean(np.where(drop, np.nan, self.s_c))))
        reps = np.asarray(reps, dtype=float)
        return value, np.sqrt((B - 1) / B * ((reps - reps.mean(0)) ** 2).sum(0))

    def standard_error(self) -> np.ndarray:
        """Standard error of the mean ln sigma at each temperature."""
        return np.nanstd(self.ln_sigma, axis=0, ddof=1) / np.sqrt(self.samples)


def mott_sweep(spec: MillerAbrahams, T, box_mott: tuple[float, ...], samples,
               rng: np.random.Generator, *, solver: str = "auto",
               progress: Callable[[int], None] | None = None) -> MottSweep:
    """``samples`` independent networks at each temperature of ``T`` (an integer, or one
    per temperature), in boxes of ``box_mott`` Mott lengths (so the finite-size effects are
    the same at every T); ``progress(done)`` after each solve."""
    T = np.atleast_1d(np.asarray(T, dtype=float))
    if T.ndim != 1 or not np.all(np.isfinite(T) & (T > 0)):
        raise InputError(f"T must be a 1-D array of positive temperatures, got {T!r}")
    counts = np.broadcast_to(np.asarray(samples), T.shape).copy() if np.ndim(samples) == 0 \
        else np.asarray(samples)
    if (counts.shape != T.shape or counts.dtype.kind not in "iu" or np.any(counts < 2)):
        raise InputError(f"samples must be an integer >= 2 (for errors), or one per "
                         f"temperature; got {samples!r}")
    shape = (int(counts.max()), T.size)
    ln_sigma, s_c, seconds = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape)
    nodes, bonds = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    box = np.empty((T.size, spec.d))
    residual, done = 0.0, 0
    for k in range(shape[0]):
        for t, temp in enumerate(T):
            if k >= counts[t]:
                continue
            smp = hopping_sample(spec, float(temp), box_mott, rng, solver=solver)
            ln_sigma[k, t], s_c[k, t], seconds[k, t] = smp.ln_sigma, smp.s_c, smp.seconds
            nodes[k, t], bonds[k, t], box[t] = smp.nodes, smp.bonds, smp.box
            residual = max(residual, smp.kirchhoff_residual, smp.current_mismatch)
            done += 1
            if progress is not None:
                progress(done)
    return MottSweep(spec, T, tuple(box_mott), counts, ln_sigma, s_c, nodes, bonds, seconds,
                     box, residual)


def temperatures(spec: MillerAbrahams, m_min: float, m_max: float, num: int) -> np.ndarray:
    """Temperatures with Mott scales m(T) = (delta_xi / T)^(1/(d+1)) geometric in
    [m_min, m_max] (highest T first)."""
    if not (0 < m_min < m_max) or num < 2:
        raise InputError(f"need 0 < m_min < m_max and num >= 2; got {m_min}, {m_max}, {num}")
    m = np.geomspace(m_min, m_max, int(num))
    return spec.delta_xi / m ** (spec.d + 1)
