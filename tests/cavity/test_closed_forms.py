"""AAT's closed-form thresholds and the exact clean-lattice references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from mbl import cavity as cav
from mbl.errors import InputError


def test_aat_thresholds_at_k2():
    assert cav.upper_limit_wc(2) == pytest.approx(29.12, abs=0.005)
    assert cav.large_k_wc(2) == pytest.approx(17.23, abs=0.005)
    assert cav.upper_limit_lambda(cav.upper_limit_wc(2), 2) == pytest.approx(1.0, abs=1e-9)
    assert cav.large_k_lambda(cav.large_k_wc(2), 2) == pytest.approx(1.0, abs=1e-9)


def test_thresholds_grow_like_k_ln_k():
    ks = np.array([2, 4, 8, 16, 32])
    wc = np.array([cav.large_k_wc(k) for k in ks])
    assert np.all(np.diff(wc) > 0)
    assert np.all(np.array([cav.upper_limit_wc(k) for k in ks]) > wc)
    ratio = wc / (4 * ks * np.log(ks))
    assert np.all(np.diff(ratio) < 0) and ratio[-1] < 1.8  # -> 1 slowly (ln ln K terms)


@pytest.mark.parametrize("K", [2, 3, 5])
def test_kesten_mckay_is_normalized_and_the_clean_limit(K):
    edge = 2 * np.sqrt(K)
    assert quad(lambda e: float(cav.kesten_mckay_dos(e, K)), -edge, edge)[0] == pytest.approx(1.0)
    E = np.linspace(-0.95 * edge, 0.95 * edge, 7)
    rho = -cav.clean_local_green(E + 1e-10j, K).imag / np.pi
    np.testing.assert_allclose(rho, cav.kesten_mckay_dos(E, K), rtol=1e-7)
    assert np.all(cav.kesten_mckay_dos(np.array([-1.01 * edge, 1.01 * edge]), K) == 0)


def test_clean_green_function_is_retarded_far_away():
    z = np.array([50.0 + 1e-3j, -50.0 + 1e-3j, 0.3 + 2j])
    g = cav.clean_local_green(z, 2)
    assert np.all(g.imag < 0)
    assert g[0] == pytest.approx(1 / 50, rel=1e-2)


def test_closed_forms_refuse_bad_input():
    with pytest.raises(InputError, match="W > 2e"):
        cav.upper_limit_lambda(3.0, 2)
    with pytest.raises(InputError, match="K must be >= 1"):
        cav.large_k_lambda(20.0, 0.5)
