"""Time evolution psi(t) = exp(-i H t) psi(0): Lanczos (Krylov) propagation, or dense.

Krylov: the run is a sequence of steps. From the current state psi (norm beta_0) a Lanczos
basis V of dimension m (``krylov_dim``) is built by the three-term recurrence, T = V^H H V
is tridiagonal, and psi(t0 + tau) = beta_0 V exp(-i T tau) e_1; every requested time inside
the step is read off the same basis. Each Lanczos step is one product with H and one fused
pass over the vectors (numba, no allocation: the basis is preallocated): for a real CSR
matrix the product is one pass that applies H to the real and imaginary parts together
(the complex vector is the two-column real block) and also returns the diagonal entry of
T; the second pass normalizes the previous vector in place and forms the recurrence and its
norm. The basis is not re-orthogonalized: for the exponential the Lanczos approximation
stays accurate when global orthogonality is lost (Druskin, Greenbaum & Knizhnerman, SIAM
J. Sci. Comput. 19, 38 (1998)). Measured against dense exp(-iHt) and against a
tighter-tolerance run (XXZ chains, L = 14 and 18, Néel start, t <= 100), the error and the
norm drift of the plain recurrence were those of full re-orthogonalization (which took
about half of the run time) and of a local re-orthogonalization against the two previous
vectors, at a fraction of the cost. Longer spaces need fewer products per unit time (the
restarts waste less): 30 vectors took about twice the products of 100.

Error control: the standard a posteriori estimate of a step,
beta_0 beta_m |e_m^T exp(-i T tau) e_1| (Saad 1992, Hochbruck & Lubich 1997), sets the
largest step tau whose estimate stays below ``tol * tau / t_max``, so the estimates summed
over the run (``Evolution.error_estimate``) stay below ``tol`` (2-norm). The estimate is
conservative: the measured error is typically one to two orders of magnitude below it. The
norm is not renormalized, so the norm drift measures the error honestly. H is applied only
through ``H @ x`` (a sparse matrix, a dense array or a scipy ``LinearOperator``:
matrix-free at large L).

Checkpoints: ``evolve(..., checkpoint=path)`` writes the current vector, the current time,
the number of requested times done, the states so far and a key (a SHA-256 hash of H, the
start vector, the times, ``tol`` and ``krylov_dim``) every ``checkpoint_every`` seconds
(written to a temporary file and moved into place with ``os.replace``, so a kill leaves the
previous checkpoint intact). The same call resumes from it and gives the states of an
uninterrupted run; a checkpoint with another key is refused. A matrix is keyed by its data,
a ``LinearOperator`` by its product with a fixed pseudo-random vector (so the same H given
once as a matrix and once as an operator has two keys). The file is removed when the run
completes.

Dense: eigenpairs of H once, then psi(t) = V exp(-i E t) V^H psi(0) at every time (exact to
rounding; the reference for small sizes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from mbl._core.errors import InputError
from mbl._core.threads import no_oversubscription
from mbl.operators import IndexOnlyOperator, fastest_form
from mbl.operators._index_kernels import lanczos_apply as index_lanczos_apply
from mbl.solvers._checkpoint import Checkpoint, implicit_path, solve_key
from mbl.solvers._kernels import (
    lanczos_alpha,
    lanczos_csr_apply,
    lanczos_recurrence,
)

__all__ = ["Evolution", "evolve"]

_CHECKPOINT_FORMAT = "mbl-evolve-krylov-1"

#: Below this dimension the numba kernels run on one thread: a parallel region per vector
#: pass then costs more than the pass (and on a loaded machine a descheduled worker stalls
#: every pass; the Krylov tests at L <= 12 took minutes instead of seconds).
_PARALLEL_MIN = 32768


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
    """H x for complex x and an H other than a real CSR matrix (that one goes through
    :func:`lanczos_csr_apply`): a real H acts on the real and imaginary parts (no complex copy
    of the matrix, and real-only matrix-free kernels work)."""
    if np.issubdtype(np.dtype(H.dtype), np.complexfloating):
        return H @ x
    return H @ x.real + 1j * (H @ x.imag)


def _real_csr(H) -> bool:
    return sp.issparse(H) and H.format == "csr" and H.dtype == np.float64


def _lanczos(H, V: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Lanczos from the unit vector ``V[0]``: fills rows 1..k - 1 of the preallocated basis V
    (k <= m) in place with the next Lanczos vectors and returns the diagonal a (k) and
    off-diagonal b (k - 1) of T, and beta_k (the residual norm after the last vector; 0 on an
    invariant subspace). Row k is left unnormalized (scratch)."""
    a, b = np.zeros(m), np.zeros(m)
    csr = _real_csr(H)
    pairs = V.view(np.float64).reshape(V.shape[0], V.shape[1], 2)
    s = 1.0  # row j holds v_j / s
    for j in range(m):
        if isinstance(H, IndexOnlyOperator):
            alpha = index_lanczos_apply(*H.args, pairs, j, s)
        elif csr:
            alpha = lanczos_csr_apply(H.indptr, H.indices, H.data, V, j, s)
        else:
            if s != 1.0:
                V[j] *= s
                s = 1.0
            V[j + 1] = _apply(H, V[j])
            alpha = lanczos_alpha(V, j)
        a[j] = alpha
        b[j] = lanczos_recurrence(V, j, s, alpha, b[j - 1] if j else 0.0)
        if b[j] <= 1e-13 * max(abs(a[j]), 1.0):  # invariant subspace: the step is exact
            return a[:j + 1], b[:j], 0.0
        s = 1.0 / b[j]
    return a, b[:m - 1], float(b[m - 1])


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


def _checkpoint(path, every: float, H, psi0: np.ndarray, times: np.ndarray, tol: float,
                m: int) -> Checkpoint | None:
    """The run's checkpoint: at ``path``, else implicit (:func:`checkpoints_in`), else None."""
    if path is None and implicit_path("evolve", "") is None:
        return None
    key = solve_key(_CHECKPOINT_FORMAT, H, (float(tol), int(m)),
                    (np.asarray(psi0, dtype=complex), times))
    implicit = path is None
    return Checkpoint(implicit_path("evolve", key) if implicit else path, every, key,
                      _CHECKPOINT_FORMAT, "evolution", "H, psi0, times, tol or krylov_dim",
                      implicit=implicit)


_STATE = ("t", "k", "psi", "states", "matvecs", "error")


def _load(checkpoint: Checkpoint, n_times: int, N: int):
    """(t, k, psi, rows of the states done, matvecs, error) or None when no file."""
    f = checkpoint.load(_STATE)
    if f is None:
        return None
    t, k, psi, rows = float(f["t"]), int(f["k"]), f["psi"], f["states"]
    if psi.shape != (N,) or rows.shape != (k, N) or not 0 <= k <= n_times:
        raise checkpoint.inconsistent()
    return t, k, psi, rows, int(f["matvecs"]), float(f["error"])


def _krylov(H, psi0: np.ndarray, times: np.ndarray, tol: float, m: int,
            checkpoint: Checkpoint | None = None) -> tuple[np.ndarray, int, float]:
    N = psi0.size
    m = min(m, N)
    rows = np.empty((times.size, N), dtype=complex)  # states, one per row
    psi = psi0.astype(complex)
    t, k, matvecs, total_err = 0.0, 0, 0, 0.0
    saved = _load(checkpoint, times.size, N) if checkpoint is not None else None
    if saved is not None:
        t, k, psi, done, matvecs, total_err = saved
        psi = np.array(psi, dtype=complex)
        rows[:k] = done
    t_max = float(times[-1]) if times.size else 0.0
    while k < times.size and times[k] <= t:  # times at t = 0
        rows[k] = psi
        k += 1
    V = np.empty((m + 1, N), dtype=complex) if k < times.size else None
    while k < times.size:
        beta0 = float(np.linalg.norm(psi))
        np.multiply(psi, 1.0 / beta0, out=V[0])
        a, b, beta_m = _lanczos(H, V, m)
        matvecs += a.size
        theta, S = scipy.linalg.eigh_tridiagonal(a, b)
        first = beta0 * S[0]
        last = (beta_m * S[-1]) * first

        def err(tau: float, last=last, theta=theta) -> float:
            return abs(np.dot(last, np.exp(-1j * theta * tau)))

        tau = _largest_step(err, t_max - t, tol / t_max)
        total_err += err(tau)
        basis = V[:a.size]
        n = k
        while n < times.size and times[n] <= t + tau * (1 + 1e-12):
            n += 1
        if n > k:  # the requested times in this step, from the same basis
            Y = (S * first) @ np.exp(-1j * np.outer(theta, times[k:n] - t))
            np.dot(Y.T, basis, out=rows[k:n])
            k = n
        np.dot(S @ (np.exp(-1j * theta * tau) * first), basis, out=psi)
        t += tau
        if checkpoint is not None and k < times.size and checkpoint.due():
            checkpoint.save(t=np.array(t), k=np.array(k), psi=psi, states=rows[:k],
                            matvecs=np.array(matvecs), error=np.array(total_err))
    return rows.T, matvecs, total_err


@no_oversubscription(numba=lambda H, *args, method="krylov", **kwargs: method == "krylov")
def evolve(H: LinearOperator | sp.spmatrix | np.ndarray, psi0: np.ndarray,
           times: np.ndarray, *, method: Literal["krylov", "dense"] = "krylov",
           tol: float = 1e-10, krylov_dim: int = 100,
           checkpoint: str | os.PathLike | None = None,
           checkpoint_every: float = 60.0) -> Evolution:
    """psi(t) = exp(-i H t) psi0 at each of ``times`` (sorted, >= 0).

    Krylov (default): restarted Lanczos propagation, the three-term recurrence in fused
    numba passes; each step is as long as the a posteriori error estimate allows, so that
    the summed estimate stays below ``tol``. Dense: exact
    propagation from all eigenpairs of H (the reference at small sizes). The module
    docstring gives the details.

    Parameters
    ----------
    H : sparse matrix, dense array or LinearOperator
        Hermitian Hamiltonian (only ``H @ x`` is used by the Krylov method; a real CSR
        matrix goes through a numba kernel).
    psi0 : ndarray, shape (N,)
        Initial state (real or complex; its norm is kept).
    times : array_like
        Non-decreasing times >= 0.
    method : "krylov" or "dense"
    tol : float
        Target error of the Krylov propagation over the whole run (2-norm): the summed a
        posteriori estimate, returned as ``error_estimate``, stays below it.
    krylov_dim : int
        Lanczos vectors per step (memory: ``krylov_dim + 1`` complex vectors of size N).
        Longer spaces restart less often: at L = 18 (XXZ, Néel, t <= 100) 30 vectors took
        6,990 products and 100 took 3,400 (1.9 times faster), at the same accuracy.
    checkpoint : path, optional
        Krylov only: a file to write the progress of the run to, and to resume from when it
        exists (a checkpoint of a different evolution is refused with ``InputError``). The
        file is removed when the run completes.
    checkpoint_every : float
        Seconds between checkpoint writes (0: after every Krylov step).

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
    if checkpoint is not None and (method != "krylov" or not checkpoint_every >= 0):
        raise InputError("checkpoint needs method='krylov' and checkpoint_every >= 0 seconds "
                         f"(got method={method!r}, checkpoint_every={checkpoint_every})")
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
    store = _checkpoint(checkpoint, checkpoint_every, H, psi0, times, tol, krylov_dim)
    threads = numba.get_num_threads()
    if H.shape[0] < _PARALLEL_MIN:
        numba.set_num_threads(1)
    try:
        states, matvecs, err = _krylov(fastest_form(H), psi0, times, tol, krylov_dim, store)
    finally:
        numba.set_num_threads(threads)
    if store is not None:
        store.remove()
    return Evolution(times, states, matvecs, err, "krylov")
