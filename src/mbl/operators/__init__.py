"""Operators from term lists: CSR matrices or matrix-free LinearOperators (numba kernels).

A Hamiltonian is a list of :class:`Term` (an op string such as ``"zz"``, ``"+-"`` or ``"Cc"``,
an ``(n, k)`` array of sites and ``n`` coefficients); :func:`build_csr` turns it into a
``scipy.sparse.csr_matrix`` on a :class:`mbl.basis.SpinBasis`, :func:`as_linear_operator`
into a matrix-free ``scipy.sparse.linalg.LinearOperator``. Spin operators are ``S = sigma/2``;
fermion operators carry Jordan-Wigner signs with sites ordered by increasing index.

Examples
--------
The XXZ chain ``J sum (S^x S^x + S^y S^y + Delta S^z S^z) + sum h_i S^z_i``, periodic:

>>> import numpy as np
>>> from mbl.basis import SpinBasis
>>> from mbl.operators import Term, build_csr
>>> L, J, Delta, h = 8, 1.0, 1.0, np.zeros(8)
>>> bonds = np.array([(i, (i + 1) % L) for i in range(L)])
>>> terms = [Term("+-", bonds, 0.5 * J), Term("-+", bonds, 0.5 * J),
...          Term("zz", bonds, J * Delta), Term("z", np.arange(L), h)]
>>> H = build_csr(SpinBasis.from_sz(L, 0), terms)
>>> H.shape
(70, 70)
"""

from mbl.operators.build import HERMITIAN_RTOL, as_linear_operator, build_csr
from mbl.operators.index_only import IndexOnlyOperator, fastest_form, index_only
from mbl.operators.terms import OP_CODES, Term

__all__ = ["HERMITIAN_RTOL", "OP_CODES", "IndexOnlyOperator", "Term", "as_linear_operator",
           "build_csr", "fastest_form", "index_only"]
