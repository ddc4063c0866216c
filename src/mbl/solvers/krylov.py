"""Time evolution psi(t) = exp(-i H t) psi(0): Lanczos (Krylov) propagation, or dense.

Krylov: from the current state (norm beta_0) a Lanczos basis V of dimension m is built with
full re-orthogonalization (repeated when needed, so the basis stays orthonormal to rounding
and the norm is conserved), T = V^T H V is tridiagonal, and
psi(t0 + tau) = beta_0 V exp(-i T tau) e_1. The
standard a posteriori error estimate beta_0 beta_m |e_m^T exp(-i T tau) e_1| (Saad 1992,
Hochbruck & Lubich 1997) sets the largest step tau whose error stays below
``tol * tau / t_max``, so the whole run stays within about ``tol``; every requested time
inside a step is read off the same basis. H is applied only through ``H @ x`` (a sparse
matrix or a scipy ``LinearOperator``: matrix-free at large L).

Dense: eigenpairs of H once, then psi(t) = V exp(-i E t) V^T psi(0) at every time (exact to
rounding; the reference for small sizes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from mbl._core.errors import InputError
from mbl.solvers._kernels import csr_matvec_real_complex

__all__ = ["Evolution", "evolve"]


@dataclass(frozen=True)
class Evolution:
    """States at the requested times (columns of ``states``, shape (N, n_times)), the
    number of products with H, the summed error estimate and the method used."""

    times: np.ndarray
    states: np.ndarray
    matvecs: int
    error_estimate: float
    method: str


def _apply(H: LinearOperator | sp.spmatrix | np.ndarray, x: np.ndarray) -> np.ndarray:
    """H x for complex x. A real CSR matrix goes through one numba pass; another real H acts
    on the real and imaginary parts (no complex copy of the matrix, and real-only matrix-free
    kernels work)."""
    if np.issubdtype(np.dtype(H.dtype), np.complexfloating):
        return H @ x
    if sp.issparse(H) and H.format == "csr" and H.dtype == np.float64:
        out = np.empty(x.size, dtype=complex)
        csr_matvec_real_complex(H.indptr, H.indices, H.data, np.ascontiguousarray(x), out)
        return out
    return H @ x.real + 1j * (H @ x.imag)


def _lanczos(H, v: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Orthonormal basis V (k, N) (one Lanczos vector per row), diagonal a and off-diagonal b
    of T, and beta_k (the residual norm after the last vector; 0 on an invariant subspace),
    k <= m.

    After the three-term recurrence each new vector is orthogonalized against the whole basis
    by classical Gram-Schmidt (two BLAS-2 passes over V), repeated once when that pass
    cancelled much of it (Kahan-Parlett "twice is enough"), so the basis stays orthonormal
    to rounding at the cost of about one pass in the common case."""
    N = v.size
    V = np.empty((m + 1, N), dtype=complex)
    a, b = np.zeros(m), np.zeros(m)
    V[0] = v
    for j in range(m):
        w = _apply(H, V[j])
        a[j] = float(np.vdot(V[j], w).real)
        w -= a[j] * V[j]  # the three-term recurrence, then the corrections to it
        if j:
            w -= b[j - 1] * V[j - 1]
        norm = float(np.linalg.norm(w))
        for _ in range(2):
            basis = V[:j + 1]
            w -= basis.T @ (basis @ w.conj()).conj()
            previous, norm = norm, float(np.linalg.norm(w))
            if norm > 0.7 * previous:
                break
        b[j] = norm
        if b[j] <= 1e-13 * max(abs(a[j]), 1.0):  # invariant subspace: the step is exact
            return V[:j + 1], a[:j + 1], b[:j], 0.0
        V[j + 1] = w / b[j]
    return V[:m], a, b[:m - 1], float(b[m - 1])


def _propagator(a: np.ndarray, b: np.ndarray):
    """tau -> exp(-i T tau) e_1 for the tridiagonal T (diagonal a, off-diagonal b)."""
    theta, S = np.linalg.eigh(np.diag(a) + np.diag(b, 1) + np.diag(b, -1))
    first = S[0]
    return lambda tau: S @ (np.exp(-1j * theta * tau) * first)


def _largest_step(err, tau: float, rate: float) -> float:
    """Largest step <= tau with err(step) <= rate * step: halve from above (the estimate has
    a rounding floor at tiny steps), then refine by bisection between tau and 2 tau."""
    if err(tau) <= rate * tau:
        return tau
    floor = 1e-12 * tau
    while err(tau) > rate * tau and tau > floor:
        tau *= 0.5
    lo, hi = tau, 2 * tau
    for _ in range(12):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if err(mid) <= rate * mid else (lo, mid)
    return lo


def _krylov(H, psi0: np.ndarray, times: np.ndarray, tol: float,
            m: int) -> tuple[np.ndarray, int, float]:
    out = np.empty((psi0.size, times.size), dtype=complex)
    psi, t, k, matvecs, total_err = psi0.astype(complex), 0.0, 0, 0, 0.0
    t_max = float(times[-1]) if times.size else 0.0
    while k < times.size and times[k] <= t:  # times at t = 0
        out[:, k] = psi
        k += 1
    while k < times.size:
        beta0 = float(np.linalg.norm(psi))
        V, a, b, beta_m = _lanczos(H, psi / beta0, min(m, psi.size))
        matvecs += a.size
        prop = _propagator(a, b)

        def err(tau: float, prop=prop, scale: float = beta0 * beta_m) -> float:
            return scale * abs(prop(tau)[-1])

        tau = _largest_step(err, t_max - t, tol / t_max)
        total_err += err(tau)
        while k < times.size and times[k] <= t + tau * (1 + 1e-12):
            out[:, k] = beta0 * (prop(times[k] - t) @ V)
            k += 1
        psi = beta0 * (prop(tau) @ V)
        t += tau
    return out, matvecs, total_err


def evolve(H: LinearOperator | sp.spmatrix | np.ndarray, psi0: np.ndarray,
           times: np.ndarray, *, method: Literal["krylov", "dense"] = "krylov",
           tol: float = 1e-10, krylov_dim: int = 30) -> Evolution:
    """psi(t) = exp(-i H t) psi0 at each of ``times`` (sorted, >= 0); see the module docstring.

    Parameters
    ----------
    H : sparse matrix, dense array or LinearOperator
        Hermitian Hamiltonian (only ``H @ x`` is used by the Krylov method).
    psi0 : ndarray, shape (N,)
        Initial state (real or complex; its norm is kept).
    times : array_like
        Non-decreasing times >= 0.
    method : "krylov" or "dense"
    tol : float
        Target error of the Krylov propagation over the whole run (2-norm).
    krylov_dim : int
        Lanczos vectors per step.

    Examples
    --------
    >>> import numpy as np, mbl
    >>> H = mbl.models.XXZChain(L=8, W=2.0).hamiltonian(sz=0, rng=np.random.default_rng(1))
    >>> psi0 = np.zeros(H.shape[0]); psi0[0] = 1.0
    >>> ev = mbl.solvers.evolve(H, psi0, [0.0, 1.0, 10.0])
    >>> bool(np.allclose(np.linalg.norm(ev.states, axis=0), 1.0))
    True
    """
    times = np.asarray(times, dtype=float)
    psi0 = np.asarray(psi0)
    if H.shape[0] != H.shape[1] or psi0.shape != (H.shape[0],):
        raise InputError(f"H {H.shape} and psi0 {psi0.shape} do not match: psi0 needs shape "
                         f"({H.shape[0]},)")
    if times.ndim != 1 or np.any(times < 0) or np.any(np.diff(times) < 0) \
            or not np.all(np.isfinite(times)):
        raise InputError("times must be a 1-D, non-decreasing array of finite times >= 0")
    if not np.linalg.norm(psi0) > 0:
        raise InputError("psi0 is zero; give a normalized initial state")
    if not tol > 0 or krylov_dim < 2:
        raise InputError(f"need tol > 0 and krylov_dim >= 2 (got {tol}, {krylov_dim})")
    if method == "dense":
        from mbl.solvers.dense import dense

        pairs = dense(H @ np.eye(H.shape[0]) if isinstance(H, LinearOperator) else H,
                      vectors=True, check=False)
        E, V = pairs.energies, pairs.vectors
        c = V.conj().T @ psi0
        states = V @ (np.exp(-1j * np.outer(E, times)) * c[:, None])
        return Evolution(times, states, 0, 0.0, "dense")
    if method != "krylov":
        raise InputError(f"unknown method {method!r}; use 'krylov' or 'dense'")
    states, matvecs, err = _krylov(H, psi0, times, tol, krylov_dim)
    return Evolution(times, states, matvecs, err, "krylov")
