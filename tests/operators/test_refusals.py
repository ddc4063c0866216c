"""Refused inputs: bad terms, sector-changing terms, non-Hermitian sums, dtypes, memory."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mbl.basis import SpinBasis
from mbl.errors import InputError, MemoryPlanError
from mbl.operators import Term, as_linear_operator, build_csr


def test_sector_refusal_names_the_term():
    msg = ("term '+' on sites (3,) does not conserve the S^z sector; use the full space "
           "(n_up=None)")
    with pytest.raises(InputError, match=re.escape(msg)):
        build_csr(SpinBasis(6, 3), [Term("zz", [0, 1], 1.0), Term("+", [3], 1.0)])
    with pytest.raises(InputError, match=r"term 'Ccc' on sites \(0, 1, 2\) does not conserve"):
        as_linear_operator(SpinBasis(6, 3), Term("Ccc", [0, 1, 2], 1.0))
    with pytest.raises(InputError, match=r"term 'xx' .* 0\.5 \* \('\+-' \+ '-\+'\)"):
        build_csr(SpinBasis(6, 3), Term("xx", [0, 1], 1.0))
    H = build_csr(SpinBasis(6), [Term("+", [3], 1.0), Term("-", [3], 1.0)])
    assert H.nnz == 64  # 2 S^x_3 flips site 3 of every state


def test_non_hermitian_refused():
    b = np.array([(i, i + 1) for i in range(5)])
    with pytest.raises(InputError, match=r"not Hermitian.*'-\+' for '\+-'"):
        build_csr(SpinBasis(6, 3), [Term("+-", b, 1.0), Term("zz", b, 1.0)])
    with pytest.raises(InputError, match="not Hermitian"):
        build_csr(SpinBasis(6, 3), [Term("+-", b, 1j), Term("-+", b, 1j)])
    with pytest.raises(InputError, match="not Hermitian"):
        as_linear_operator(SpinBasis(6, 3), [Term("+-", b, 1.0), Term("-+", b, 0.9)])
    H = build_csr(SpinBasis(6, 3), [Term("+-", b, 1j), Term("-+", b, -1j)])
    assert H.dtype == np.complex128 and abs(H - H.conj().T).max() == 0
    H = build_csr(SpinBasis(6, 3), Term("+-", b, 1.0), check_hermitian=False)
    assert H.nnz > 0


def test_tiny_asymmetry_within_tolerance_is_accepted():
    b = [(0, 1)]
    build_csr(SpinBasis(4, 2), [Term("+-", b, 1.0), Term("-+", b, 1.0 + 1e-14)])
    with pytest.raises(InputError, match="not Hermitian"):
        build_csr(SpinBasis(4, 2), [Term("+-", b, 1.0), Term("-+", b, 1.0 + 1e-10)])


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("", [0], 1.0), "non-empty string"),
        (("zq", [0, 1], 1.0), r"unknown ops 'q'.*'Iz\+-xyncC'"),
        (("zz", [[0, 1, 2]], 1.0), r"shape \(n, 2\)"),
        (("z", [0.5], 1.0), "sites must be integers"),
        (("z", [-1], 1.0), "sites must be >= 0"),
        (("zz", [[0, 1], [1, 2]], [1.0]), "2 rows of sites but coeffs of shape"),
        (("z", [0], np.nan), "non-finite"),
        (("z", [0], "a"), "coeffs must be numbers"),
    ],
)
def test_bad_terms(args, match):
    with pytest.raises(InputError, match=match):
        Term(*args)


def test_term_shapes_and_immutability():
    t = Term("z", [0, 1, 2], 0.5)
    assert t.sites.shape == (3, 1) and t.coeffs.tolist() == [0.5] * 3 and t.n_rows == 3
    assert Term("zz", [0, 1], 1.0).sites.shape == (1, 2)
    assert Term("zz", np.zeros((0, 2), int), []).n_rows == 0
    with pytest.raises(ValueError, match="read-only"):
        t.coeffs[0] = 1.0
    assert Term("+-", [0, 1], 1).charge == 0 and Term("C", [0], 1).charge == 1
    assert Term("zn", [0, 1], 1).is_diagonal and not Term("x", [0], 1).is_diagonal


def test_build_refusals():
    with pytest.raises(InputError, match=r"term 'zz' on sites \(3, 4\) names a site >= L = 4"):
        build_csr(SpinBasis(4), Term("zz", [(0, 1), (3, 4)], 1.0))
    with pytest.raises(InputError, match="SpinBasis"):
        build_csr(4, [])
    with pytest.raises(InputError, match="list of mbl.operators.Term"):
        build_csr(SpinBasis(4), [("zz", [0, 1], 1.0)])
    with pytest.raises(InputError, match="dtype=complex128"):
        build_csr(SpinBasis(4), Term("y", [0], 1.0), dtype=float)
    with pytest.raises(InputError, match="float or complex"):
        build_csr(SpinBasis(4), Term("z", [0], 1.0), dtype=int)


def test_dtypes_and_empty_operators():
    basis = SpinBasis(4, 2)
    t = Term("zz", [0, 1], 1.0)
    assert build_csr(basis, t).dtype == np.float64
    assert build_csr(basis, t, dtype=np.complex128).dtype == np.complex128
    assert build_csr(basis, t, dtype=np.float32).dtype == np.float32
    empty = build_csr(basis, [])
    assert empty.shape == (6, 6) and empty.nnz == 0
    assert build_csr(basis, Term("z", [0], 0.0)).nnz == 0
    assert np.all(as_linear_operator(basis, []) @ np.ones(6) == 0)


def test_build_refuses_what_cannot_fit(monkeypatch):
    basis = SpinBasis(12, 6)
    monkeypatch.setattr("mbl.operators.build.available_memory", lambda: 10 * 1024)
    with pytest.raises(MemoryPlanError, match=r"dimension 924 .* as_linear_operator"):
        build_csr(basis, [Term("+-", [(0, 1)], 1.0), Term("-+", [(0, 1)], 1.0)])
