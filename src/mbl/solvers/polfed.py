"""Eigenpairs nearest a target energy by polynomial filtering (POLFED; Sierant, Lewenstein &
Zakrzewski, PRL 125, 156601 (2020)).

H is rescaled to x = (H - c) / a with spectrum inside [-1, 1]. The filter
P(x) = sum_{n<=K} g_n (2 - delta_n0) T_n(s) T_n(x) (Chebyshev polynomials T_n, Jackson damping
g_n, target s = (sigma - c) / a) is the kernel-polynomial approximation of delta(x - s): a peak
of width ~ pi / K at the target, so the eigenvalues of H nearest sigma become the largest of
P(H). Lanczos (ARPACK) finds those; a Rayleigh-Ritz step with H itself gives the energies and
vectors, and pairs whose residual ||H v - E v|| is not small are refused, never returned.
Only products H @ X are needed (a sparse matrix or a matrix-free ``LinearOperator``), and no
factorization: memory stays a few vectors, which is the point at L = 20-24.

The degree K follows from the density of states at sigma, estimated from the first two
moments of H (a Gaussian, as for local many-body Hamiltonians; traces by random vectors):
the peak is made about as wide as the k target levels.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg as spla

from mbl._core.errors import ConvergenceError, InputError
from mbl.solvers.result import Eigenpairs, orthogonality_error, residual_norm

__all__ = ["chebyshev_filter", "polfed"]


def _jackson(K: int) -> np.ndarray:
    n = np.arange(K + 1)
    q = np.pi / (K + 2)
    return ((K + 2 - n) * np.cos(n * q) + np.sin(n * q) / np.tan(q)) / (K + 2)


def chebyshev_filter(K: int, s: float) -> np.ndarray:
    """Coefficients of P(x) = sum_n c_n T_n(x), the Jackson-damped delta peak at x = s."""
    n = np.arange(K + 1)
    c = _jackson(K) * np.cos(n * np.arccos(s)) * np.where(n == 0, 1.0, 2.0)
    return c / c.sum()  # normalization does not matter: P(s) ~ 1 for readability


def _apply_filter(H, X: np.ndarray, c: np.ndarray, centre: float, half: float) -> np.ndarray:
    """P((H - centre) / half) X by the three-term Chebyshev recurrence (K products H @ X)."""
    t_prev = X
    t_cur = (H @ X - centre * X) / half
    out = c[0] * t_prev + c[1] * t_cur
    for cn in c[2:]:
        t_next = 2.0 * (H @ t_cur - centre * t_cur) / half - t_prev
        out += cn * t_next
        t_prev, t_cur = t_cur, t_next
    return out


def _moments(H, n: int, rng: np.random.Generator, probes: int = 4) -> tuple[float, float]:
    """Mean and standard deviation of the spectrum: tr H / N and tr H^2 / N by random probes."""
    Z = rng.choice([-1.0, 1.0], size=(n, probes))
    HZ = H @ Z
    m1 = float(np.mean(np.sum(Z * HZ, axis=0))) / n
    m2 = float(np.mean(np.sum(HZ * HZ, axis=0))) / n
    return m1, float(np.sqrt(max(m2 - m1**2, 1e-300)))


def polfed(H, *, sigma: float, k: int, bounds: tuple[float, float], degree: int | None = None,
           max_residual: float = 1e-8, rng: np.random.Generator | None = None) -> Eigenpairs:
    """The ``k`` eigenpairs of a Hermitian ``H`` nearest ``sigma`` (see the module docstring).

    Parameters
    ----------
    H : sparse matrix or LinearOperator
    sigma : float
        Target energy, inside ``bounds``.
    k : int
        Number of pairs.
    bounds : (E_min, E_max)
        Spectral bounds (e.g. from :func:`spectral_bounds`).
    degree : int, optional
        Filter degree K; default from the estimated density of states at sigma.
    max_residual : float
        Refuse pairs with ||H v - E v|| above this times max(1, max |E|).
    rng : numpy.random.Generator, optional
        Start vector and trace probes (default: a fixed seed, reproducible).
    """
    n = H.shape[0]
    e_min, e_max = bounds
    if not 1 <= k < n // 2:
        raise InputError(f"k must be between 1 and N/2 = {n // 2}, got {k}; use method='dense'")
    if not e_min < sigma < e_max:
        raise InputError(f"sigma = {sigma} is outside the spectrum [{e_min}, {e_max}]")
    rng = rng or np.random.default_rng(0)
    centre, half = 0.5 * (e_max + e_min), 0.5 * (e_max - e_min) * (1 + 1e-6)
    s = (sigma - centre) / half
    if degree is None:
        mu, sd = _moments(H, n, rng)
        rho = n * np.exp(-0.5 * ((sigma - mu) / sd) ** 2) / (np.sqrt(2 * np.pi) * sd)
        width = 2.0 * k / rho / half  # the k levels nearest sigma, in units of x
        degree = int(np.clip(np.pi * np.sqrt(max(1 - s * s, 1e-6)) / width, 8, 200_000))
    c = chebyshev_filter(degree, s)
    P = spla.LinearOperator((n, n), dtype=float,
                            matvec=lambda v: _apply_filter(H, v, c, centre, half),
                            matmat=lambda X: _apply_filter(H, X, c, centre, half))
    want = min(n // 2, k + max(10, k // 2))
    try:
        _, V = spla.eigsh(P, k=want, which="LA", v0=rng.standard_normal(n), tol=1e-12)
    except spla.ArpackNoConvergence as exc:
        raise ConvergenceError(f"POLFED Lanczos did not converge ({len(exc.eigenvalues)} of "
                               f"{want}); raise the degree or lower k") from exc
    # Rayleigh-Ritz with H on the filtered subspace, then the k values nearest sigma
    HV = H @ V
    E, Y = np.linalg.eigh(V.T @ HV)
    V = V @ Y
    nearest = np.sort(np.argsort(np.abs(E - sigma))[:k])
    E, V = E[nearest], V[:, nearest]
    res = residual_norm(H, E, V)
    scale = max(1.0, float(np.max(np.abs(E))))
    if res > max_residual * scale:
        raise ConvergenceError(f"POLFED pairs have residual {res:.3g} > {max_residual:.1g} x "
                               f"{scale:.3g} at degree {degree}; raise the degree")
    return Eigenpairs(E, V, res, orthogonality_error(V), "polfed", e_min, e_max)
