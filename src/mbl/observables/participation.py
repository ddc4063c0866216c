"""Participation entropies and Kullback-Leibler divergences of eigenstates.

Both measure how a state spreads over the computational basis through its probabilities
``p_i = |psi_i|^2``. In the ergodic phase eigenstates cover the Hilbert space (S_q ~ ln D), in the
localized phase they occupy a vanishing fraction of it (Luitz, Laflorencie & Alet, PRB 91,
081103 (2015)).
"""

from __future__ import annotations

from collections.abc import Iterable

import numba
import numpy as np

from mbl._core.errors import InputError
from mbl.observables.entanglement import check_renyi_indices

__all__ = ["KL_FLOOR", "kl_divergence_neighbours", "participation_entropies"]

#: Floor for the probabilities of the second state in :func:`kl_divergence_neighbours`: the
#: smallest normal double, so that ln(p / q) stays finite when q = 0 (at most ln(1/KL_FLOOR),
#: about 708, per unit of p).
KL_FLOOR: float = float(np.finfo(np.float64).tiny)


def _probabilities(vectors: np.ndarray, name: str = "vectors") -> np.ndarray:
    """Normalized ``|psi_i|^2`` of each column (a zero column is refused)."""
    vectors = np.asarray(vectors)
    if vectors.ndim not in (1, 2) or vectors.shape[0] == 0:
        raise InputError(
            f"{name} has shape {vectors.shape}; pass a (dim, k) array with the states as "
            f"columns (dim >= 1)."
        )
    if vectors.dtype.kind not in "biufc":
        raise InputError(f"{name} must hold numbers (got dtype {vectors.dtype}).")
    p = np.abs(vectors.astype(np.result_type(vectors.dtype, np.float64), copy=False)) ** 2
    norm = p.sum(axis=0)
    if np.any(norm == 0):
        bad = np.flatnonzero(np.atleast_1d(norm) == 0)
        raise InputError(f"columns {bad[:10].tolist()} of {name} are zero; pass non-zero states.")
    return p / norm


def participation_entropies(
    vectors: np.ndarray, qs: Iterable[float] = (1, 2, np.inf)
) -> dict[float, np.ndarray]:
    """Participation (Rényi) entropies S_q of each state in the computational basis.

    With ``p_i = |psi_i|^2`` (each column normalized here), ``S_q = ln(sum_i p_i^q) / (1 - q)``;
    S_1 = -sum_i p_i ln p_i (Shannon) and S_inf = -ln max_i p_i. S_2 = ln(PR) is the log of
    the participation ratio. For a state on a single basis state all vanish; for a uniform
    state they all equal ln D. S_q decreases with q.

    Parameters
    ----------
    vectors : ndarray, shape (dim, k) or (dim,)
        States as columns, real or complex; zero columns are refused.
    qs : iterable of float, default (1, 2, inf)
        Rényi indices q > 0.

    Returns
    -------
    dict
        ``{q: S_q}`` for each q (keys as given, so ``S[1]`` and ``S[1.0]`` both work), each of
        shape (k,) (shape () for a 1-D ``vectors``).

    Raises
    ------
    InputError
        If a q is not > 0, if ``vectors`` is not 1-D or 2-D, or if a column is zero.

    Examples
    --------
    >>> import numpy as np
    >>> S = participation_entropies(np.full((8, 1), 1.0))
    >>> bool(np.allclose([S[1], S[2], S[np.inf]], np.log(8)))
    True
    """
    qs = check_renyi_indices(qs, "qs")
    qf = [float(q) for q in qs]
    if set(qf) <= {1.0, 2.0, np.inf} and np.ndim(vectors) == 2 and vectors.shape[1] > 0:
        return _low_order_entropies(vectors, qs, qf)
    p = _probabilities(vectors)
    pmax = p.max(axis=0)
    out: dict[float, np.ndarray] = {}
    for q, f in zip(qs, qf, strict=True):
        if f == 1.0:
            logp = np.log(np.where(p > 0, p, 1.0))
            val = -(p * logp).sum(axis=0)
        elif np.isinf(f):
            val = -np.log(pmax)
        else:
            # ln sum p^q = q ln p_max + ln sum (p / p_max)^q: no underflow for large q
            val = (f * np.log(pmax) + np.log(((p / pmax) ** f).sum(axis=0))) / (1.0 - f)
        out[q] = np.maximum(val, 0.0)
    return out


@numba.njit(cache=True)
def _column_moments(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per column: norm^2, ``sum |v|^2 ln |v|^2``, ``sum |v|^4`` and ``max |v|^2``, in one pass."""
    dim, k = v.shape
    norm, plogp, p2, pmax = np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k)
    for j in range(k):
        for i in range(dim):
            x = abs(v[i, j]) ** 2
            norm[j] += x
            if x > 0.0:
                plogp[j] += x * np.log(x)
            p2[j] += x * x
            pmax[j] = max(pmax[j], x)
    return norm, plogp, p2, pmax


def _low_order_entropies(vectors: np.ndarray, qs: tuple, qf: list[float]) -> dict:
    """S_1, S_2 and S_inf from one numba pass (no dim x k temporaries)."""
    v = np.asfortranarray(vectors)
    norm, plogp, p2, pmax = _column_moments(v)
    if np.any(norm == 0):
        raise InputError("a column of vectors is zero; participation entropies need states")
    values = {1.0: np.log(norm) - plogp / norm,   # -sum p ln p with p = |v|^2 / norm
              2.0: 2 * np.log(norm) - np.log(p2),
              np.inf: np.log(norm) - np.log(pmax)}
    return {q: np.maximum(values[f], 0.0) for q, f in zip(qs, qf, strict=True)}


def kl_divergence_neighbours(vectors: np.ndarray) -> np.ndarray:
    """Kullback-Leibler divergence between consecutive eigenstates.

    KL_n = sum_i p_i^(n) ln(p_i^(n) / p_i^(n+1)) with ``p^(n) = |psi^(n)|^2`` the normalized
    probabilities of column n; the columns should be eigenstates sorted by energy. For
    eigenvectors of a GOE matrix (Porter-Thomas distributed components) the mean is 2 (exactly
    2 - 2/D for independent random real unit vectors of dimension D); in the localized phase
    it grows with the system size (Luitz, Laflorencie & Alet, PRB 91, 081103 (2015)).

    Parameters
    ----------
    vectors : ndarray, shape (dim, k)
        States as columns (k >= 1), real or complex; zero columns are refused.

    Returns
    -------
    ndarray, shape (k - 1,)
        KL_n for n = 0 .. k-2.

    Raises
    ------
    InputError
        If ``vectors`` is not 2-D or a column is zero.

    Notes
    -----
    Zeros are guarded: terms with p_i^(n) = 0 contribute 0 (the limit p ln p -> 0), and
    p_i^(n+1) is raised to at least :data:`KL_FLOOR` (the smallest normal double,
    2.2e-308), so a component present in state n but exactly absent from state n+1
    contributes p_i^(n) ln(p_i^(n) / KL_FLOOR) (at most about 708 p_i^(n)) instead of
    infinity. Probabilities of numerical eigenvectors are never that small unless they are
    exactly zero (e.g. by symmetry), so the floor changes nothing else.

    Examples
    --------
    >>> import numpy as np
    >>> float(kl_divergence_neighbours(np.eye(3)[:, :1].repeat(2, axis=1))[0])
    0.0
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise InputError(
            f"vectors has shape {vectors.shape}; pass a (dim, k) array with eigenstates "
            f"sorted by energy as columns."
        )
    p = _probabilities(vectors)
    logp = np.log(np.maximum(p, KL_FLOOR))
    terms = np.where(p[:, :-1] > 0, p[:, :-1] * (logp[:, :-1] - logp[:, 1:]), 0.0)
    return terms.sum(axis=0)
