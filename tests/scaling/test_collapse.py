"""One-parameter collapse recovers the localization lengths of a known scaling function."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.errors import InputError
from mbl.scaling.collapse import one_parameter_collapse


def test_recovers_xi_up_to_errors():
    rng = np.random.default_rng(2)
    xi_true = {4.0: 80.0, 6.0: 18.0, 8.0: 7.0, 12.0: 2.5}
    M, W, lam = [], [], []
    for w, xi in xi_true.items():
        for m in (8, 16, 32, 64):
            s = np.log(m / xi)
            # a smooth curve with the localized limit Lambda -> xi / M
            ln_lam = -s - np.log1p(np.exp(-2 * s)) / 2 + 0.3 * np.exp(-np.exp(s))
            M.append(m)
            W.append(w)
            lam.append(np.exp(ln_lam))
    lam = np.array(lam)
    err = 2e-3 * lam
    noisy = lam * np.exp(2e-3 * rng.standard_normal(lam.size))
    c = one_parameter_collapse(np.array(M), np.array(W), noisy, err, degree=6)
    ratio = c.ln_xi - np.log([xi_true[w] for w in c.W])
    # the scale is anchored at the most localized point (W = 12, M = 64) where the limit holds
    # to ~exp(-2 s)/2 = 8e-4; the other shifts are then exact up to their errors
    assert np.all(np.abs(ratio - ratio[-1]) < 4 * c.ln_xi_error + 1e-9)
    assert abs(ratio[-1]) < 2e-3
    # (a degree-6 polynomial does not follow this curve to 0.2% over s in [-2.3, 3.2]: chi^2
    # is large and the errors are scaled up by sqrt(chi^2/dof), which the bound above uses)


def test_needs_two_sizes_and_two_disorders():
    with pytest.raises(InputError, match="at least 2"):
        one_parameter_collapse(np.array([8, 16]), np.array([4.0, 4.0]), np.array([1.0, 0.9]),
                               np.array([0.01, 0.01]))
