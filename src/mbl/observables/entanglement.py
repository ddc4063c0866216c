"""Bipartite entanglement entropies of eigenstates and their random-state (Page) values.

A state is given by its amplitudes on a list of basis states (docs/conventions.md §3: bit i of the
integer is site i, site 0 the least significant bit). Subsystem A is made of sites ``0 .. cut-1``
(the ``cut`` least significant bits), B of the others, so a basis state ``s`` is the product of ``a
= s & (2**cut - 1)`` in A and ``b = s >> cut`` in B, and the amplitudes of a state form a matrix
``M[a, b]``. Its singular values are the Schmidt values.

Inside a U(1) sector (fixed particle number, or fixed S^z) the matrix ``M`` is block diagonal:
the particle number of ``a`` fixes that of ``b``. More generally, ``M`` is block diagonal along
the connected components of the bipartite graph whose edges are the basis states (a, b); the
code finds those components (for a particle-number sector they are the blocks of fixed
particle number in A; for the full space there is one block) and never builds the 2^L vector.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import comb, digamma

from mbl._core.errors import InputError

__all__ = ["entanglement_entropy", "page_entropy", "page_entropy_fixed_number"]

#: Largest working array (bytes) for the gathered amplitudes; columns are processed in chunks
#: so that one chunk of amplitudes stays below this size.
_CHUNK_BYTES = 128 * 2**20


def check_renyi_indices(qs: Iterable[float], name: str) -> tuple[float, ...]:
    """Validate Rényi indices: real numbers q > 0 (q = 1 von Neumann, q = inf min-entropy)."""
    try:
        out = tuple(qs)
        values = [float(q) for q in out]
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{name} must be an iterable of real numbers q > 0 (got {qs!r}); pass e.g. "
            f"{name}=(1, 2) or {name}=(1, 2, numpy.inf)."
        ) from exc
    bad = [q for q, v in zip(out, values, strict=True) if not v > 0]
    if bad:
        raise InputError(
            f"{name} contains {bad}, but Rényi indices must satisfy q > 0 (q = 1 is von "
            f"Neumann, q = inf the min-entropy); remove those values."
        )
    return out


def _renyi_from_probabilities(p: np.ndarray, qs: tuple[float, ...]) -> dict[float, np.ndarray]:
    """Rényi entropies of the rows of ``p`` (probabilities, each row summing to one)."""
    out: dict[float, np.ndarray] = {}
    for q in qs:
        qf = float(q)
        if qf == 1.0:
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
            val = -terms.sum(axis=-1)
        elif np.isinf(qf):
            val = -np.log(p.max(axis=-1))
        else:
            # ln sum p^q = q ln p_max + ln sum (p / p_max)^q: no underflow for large q
            pmax = p.max(axis=-1)
            ratio = p / pmax[..., None]
            val = (qf * np.log(pmax) + np.log((ratio**qf).sum(axis=-1))) / (1.0 - qf)
        # Rounding can leave -1e-16 for a product state; entropies are non-negative.
        out[q] = np.maximum(val, 0.0)
    return out


def _blocks(states: np.ndarray, cut: int) -> list[tuple[np.ndarray, np.ndarray, int, int, bool]]:
    """Decompose the basis into the blocks of the amplitude matrix M[a, b].

    Returns, per block, ``(rows, flat, n_a, n_b, complete)``: the positions in ``states`` of
    the block's basis states ordered so that ``flat = a_idx * n_b + b_idx`` increases, that flat
    index, the block's dimensions, and whether every (a, b) pair of the block is a basis state.
    """
    a = states & ((1 << cut) - 1)
    b = states >> cut
    ua, ia = np.unique(a, return_inverse=True)
    ub, ib = np.unique(b, return_inverse=True)
    na_all, nb_all = ua.size, ub.size
    # Bipartite graph: nodes 0..na_all-1 are the A configurations, the rest the B ones.
    graph = coo_matrix(
        (np.ones(states.size, dtype=np.int8), (ia, na_all + ib)),
        shape=(na_all + nb_all, na_all + nb_all),
    )
    ncomp, labels = connected_components(graph, directed=False)
    comp_a = labels[:na_all]
    comp_b = labels[na_all:]
    # Index of each A (B) configuration inside its own component, in increasing order.
    loc_a = np.empty(na_all, dtype=np.int64)
    loc_b = np.empty(nb_all, dtype=np.int64)
    size_a = np.bincount(comp_a, minlength=ncomp)
    size_b = np.bincount(comp_b, minlength=ncomp)
    for comp, loc, size in ((comp_a, loc_a, size_a), (comp_b, loc_b, size_b)):
        order = np.argsort(comp, kind="stable")
        starts = np.concatenate(([0], np.cumsum(size)[:-1]))
        loc[order] = np.arange(comp.size) - np.repeat(starts, size)
    state_comp = comp_a[ia]
    flat_all = loc_a[ia] * size_b[state_comp] + loc_b[ib]
    order = np.lexsort((flat_all, state_comp))
    counts = np.bincount(state_comp, minlength=ncomp)
    bounds = np.concatenate(([0], np.cumsum(counts)))
    out = []
    for c in range(ncomp):
        rows = order[bounds[c] : bounds[c + 1]]
        n_a, n_b = int(size_a[c]), int(size_b[c])
        out.append((rows, flat_all[rows], n_a, n_b, rows.size == n_a * n_b))
    return out


def entanglement_entropy(
    vectors: np.ndarray,
    states: np.ndarray,
    L: int,
    cut: int,
    *,
    renyi: Iterable[float] = (1, 2),
) -> dict[float, np.ndarray]:
    """Von Neumann and Rényi entanglement entropies of states for the cut A | B.

    Subsystem A is sites ``0 .. cut-1`` (the ``cut`` least significant bits of a basis
    state), B the sites ``cut .. L-1``. The entropies use the natural logarithm.

    Parameters
    ----------
    vectors : ndarray, shape (dim, k) or (dim,)
        States as columns, real or complex, in the basis ``states``. Columns need not be
        normalized: each is normalized here (a zero column is refused).
    states : ndarray of int, shape (dim,)
        Sorted, distinct basis states (integers in ``[0, 2**L)``): the full space
        ``arange(2**L)``, a fixed particle-number (S^z) sector, or any other subset.
    L : int
        Number of sites.
    cut : int
        Number of sites in A, ``0 < cut < L``.
    renyi : iterable of float, default (1, 2)
        Rényi indices q > 0; ``q = 1`` gives the von Neumann entropy -tr rho ln rho,
        ``q = inf`` the min-entropy -ln lambda_max, otherwise ln(tr rho^q) / (1 - q).

    Returns
    -------
    dict
        ``{q: S_q}`` for each q in ``renyi`` (keys as given), ``S_q`` of shape (k,) (shape ()
        for a 1-D ``vectors``).

    Raises
    ------
    InputError
        If ``cut`` is not within ``0 < cut < L``, if ``states`` is not sorted, distinct and
        within ``[0, 2**L)``, if its length does not match ``vectors``, or if a column is zero.

    Notes
    -----
    The amplitude matrix ``M[a, b]`` (a = state & (2**cut - 1), b = state >> cut) is block
    diagonal along the connected components of the bipartite graph with the basis states as
    edges; in a particle-number sector these are the blocks of fixed particle number in A. For
    each block the singular values of the stack (k, n_a, n_b) are computed with one batched
    ``numpy.linalg.svd(..., compute_uv=False)`` (more accurate than diagonalizing the reduced
    density matrix for small Schmidt values); the Schmidt probabilities of all blocks together
    give the entropies. Columns are processed in chunks so that the gathered amplitudes stay
    below about 128 MiB.

    Examples
    --------
    A singlet between sites 0 and 1 of a 2-site chain, basis states 01 and 10:

    >>> import numpy as np
    >>> v = np.array([1.0, -1.0]) / np.sqrt(2)
    >>> S = entanglement_entropy(v, np.array([1, 2]), L=2, cut=1)
    >>> bool(np.isclose(S[1], np.log(2)))
    True
    """
    qs = check_renyi_indices(renyi, "renyi")
    L = int(L)
    cut = int(cut)
    if L < 2 or L > 62:
        raise InputError(f"L = {L} is not supported: pass the number of sites, 2 <= L <= 62.")
    if not 0 < cut < L:
        raise InputError(
            f"cut = {cut} is outside 0 < cut < L = {L}: subsystem A (sites 0..cut-1) and B "
            f"must both be non-empty; pass an integer cut from 1 to {L - 1}."
        )
    vectors = np.asarray(vectors)
    one_d = vectors.ndim == 1
    if one_d:
        vectors = vectors[:, None]
    if vectors.ndim != 2:
        raise InputError(
            f"vectors has shape {vectors.shape}; pass a (dim, k) array with states as columns."
        )
    states = np.asarray(states)
    if states.ndim != 1 or not np.issubdtype(states.dtype, np.integer):
        raise InputError(
            f"states must be a 1-D integer array of basis states (got dtype {states.dtype}, "
            f"shape {states.shape}); pass e.g. numpy.arange(2**L) for the full space."
        )
    states = states.astype(np.int64, copy=False)
    dim, k = vectors.shape
    if states.size != dim:
        raise InputError(
            f"states has {states.size} entries but vectors has {dim} rows; pass the basis "
            f"the vectors are written in."
        )
    if dim == 0:
        raise InputError("states is empty; pass at least one basis state.")
    if np.any(np.diff(states) <= 0):
        raise InputError("states must be sorted in increasing order without repetitions.")
    if states[0] < 0 or states[-1] >= (1 << L):
        raise InputError(
            f"states must lie in [0, 2**L) = [0, {1 << L}) for L = {L} (got "
            f"{states[0]} .. {states[-1]}); check L."
        )
    dtype = np.result_type(vectors.dtype, np.float64)
    if dtype.kind not in "fc":
        raise InputError(f"vectors must be real or complex numbers (got dtype {vectors.dtype}).")

    blocks = _blocks(states, cut)
    n_schmidt = sum(min(n_a, n_b) for _, _, n_a, n_b, _ in blocks)
    chunk = max(1, _CHUNK_BYTES // max(1, dim * np.dtype(dtype).itemsize))
    probs = np.empty((k, n_schmidt))
    for c0 in range(0, k, chunk):
        c1 = min(k, c0 + chunk)
        m = c1 - c0
        sub = np.asarray(vectors[:, c0:c1], dtype=dtype)
        # Gather along the contiguous axis: rows of a C-ordered chunk, columns of its
        # transpose for a Fortran-ordered one (what LAPACK's eigh returns).
        by_rows = not sub.flags.f_contiguous or sub.flags.c_contiguous
        subt = None if by_rows else sub.T
        pos = 0
        for rows, flat, n_a, n_b, complete in blocks:
            if complete and by_rows:
                # (n_a * n_b, m) -> (n_a, n_b, m) -> strided view (m, n_a, n_b); no copy
                mats = np.moveaxis(sub[rows].reshape(n_a, n_b, m), -1, 0)
            elif complete:
                mats = subt[:, rows].reshape(m, n_a, n_b)
            else:
                mats = np.zeros((m, n_a * n_b), dtype=dtype)
                mats[:, flat] = sub[rows].T if by_rows else subt[:, rows]
                mats = mats.reshape(m, n_a, n_b)
            if n_a == 1 or n_b == 1:
                s2 = (np.abs(mats) ** 2).sum(axis=(1, 2))[:, None]
            else:
                s2 = np.linalg.svd(mats, compute_uv=False) ** 2
            probs[c0:c1, pos : pos + s2.shape[1]] = s2
            pos += s2.shape[1]
    norm = probs.sum(axis=1)
    if np.any(norm == 0):
        bad = np.flatnonzero(norm == 0)
        raise InputError(f"columns {bad[:10].tolist()} of vectors are zero; pass non-zero states.")
    probs /= norm[:, None]
    out = _renyi_from_probabilities(probs, qs)
    if one_d:
        out = {q: v[0] for q, v in out.items()}
    return out


def page_entropy(m: int | np.ndarray, n: int | np.ndarray) -> float | np.ndarray:
    """Page's mean entanglement entropy of a random pure state in C^m (x) C^n.

    S = sum_{j=n+1}^{mn} 1/j - (m-1)/(2n) for m <= n (the arguments are swapped otherwise),
    evaluated as digamma(mn + 1) - digamma(n + 1) - (m - 1)/(2n). It is the exact mean over
    states drawn uniformly (Haar) from the complex unit sphere (Page 1993; Foong & Kanno,
    Sánchez-Ruiz, Sen 1994-96); for large m, n it is ln m - m/(2n).

    Parameters
    ----------
    m, n : int or array of int
        Dimensions of the two subsystems (>= 1); arrays broadcast.

    Returns
    -------
    float or ndarray
        The mean von Neumann entropy (natural log).

    Examples
    --------
    >>> round(page_entropy(128, 128), 3)
    4.352
    """
    m_arr = np.asarray(m)
    n_arr = np.asarray(n)
    if np.any(m_arr < 1) or np.any(n_arr < 1):
        raise InputError(f"page_entropy needs dimensions m, n >= 1 (got m={m}, n={n}).")
    lo = np.minimum(m_arr, n_arr).astype(np.float64)
    hi = np.maximum(m_arr, n_arr).astype(np.float64)
    s = digamma(lo * hi + 1.0) - digamma(hi + 1.0) - (lo - 1.0) / (2.0 * hi)
    return float(s) if s.ndim == 0 else s


def page_entropy_fixed_number(L: int, N: int, cut: int) -> float:
    """Mean entanglement entropy of random pure states with N particles on L sites.

    The exact mean of the von Neumann entropy of A = sites ``0..cut-1`` over states drawn
    uniformly (Haar) from the complex unit sphere of the sector with N particles
    (dimension D = C(L, N)), the quantity of Vidmar & Rigol, PRL 119, 220603 (2017).

    Parameters
    ----------
    L : int
        Number of sites.
    N : int
        Number of particles (up spins), ``0 <= N <= L``; S^z = 0 is N = L/2.
    cut : int
        Number of sites in A, ``0 < cut < L``.

    Returns
    -------
    float
        The mean entropy (natural log).

    Notes
    -----
    The sector splits into blocks of n particles in A, of dimensions d_A = C(cut, n) and
    d_B = C(L - cut, N - n), D_n = d_A d_B. A Haar-random state is the direct sum of
    sqrt(p_n) phi_n with phi_n Haar-random in block n and independent of the weights
    (p_n), which are Dirichlet(D_1, D_2, ...) distributed (the normalized squared norms of
    complex Gaussian blocks). Its Schmidt probabilities are p_n times those of phi_n, so
    S = sum_n p_n S(phi_n) - sum_n p_n ln p_n, and averaging with E[p_n] = D_n / D and
    E[p_n ln p_n] = (D_n / D) [psi(D_n + 1) - psi(D + 1)] (p_n ~ Beta(D_n, D - D_n)) gives

        <S> = sum_n (D_n / D) [S_Page(d_A, d_B) + psi(D + 1) - psi(D_n + 1)],

    with psi the digamma function and S_Page from :func:`page_entropy`. This is exact (no
    large-D expansion) for complex random states; its only error is floating-point rounding
    (relative ~1e-14). For real random states (orthogonal ensemble) both the Page term and the
    weight distribution differ at finite size, by O(1/d) corrections.

    Examples
    --------
    >>> round(page_entropy_fixed_number(14, 7, 7), 3)
    4.265
    """
    L, N, cut = int(L), int(N), int(cut)
    if L < 2:
        raise InputError(f"L = {L}: pass a number of sites L >= 2.")
    if not 0 <= N <= L:
        raise InputError(f"N = {N} is outside 0 <= N <= L = {L}; pass a particle number in it.")
    if not 0 < cut < L:
        raise InputError(
            f"cut = {cut} is outside 0 < cut < L = {L}; pass an integer cut from 1 to {L - 1}."
        )
    n = np.arange(max(0, N - (L - cut)), min(cut, N) + 1)
    d_a = comb(cut, n)
    d_b = comb(L - cut, N - n)
    D_n = d_a * d_b
    D = float(comb(L, N))
    w = D_n / D
    s = w * (page_entropy(d_a, d_b) + digamma(D + 1.0) - digamma(D_n + 1.0))
    return float(s.sum())
