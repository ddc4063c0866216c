from __future__ import annotations

import numpy as np

from mbl.scaling.edges import last_sign_change


def test_linear_difference_crosses_where_expected_with_propagated_error():
    x = np.linspace(0.0, 10.0, 21)
    d = 0.1 * (6.3 - x)
    err = np.full_like(x, 0.01)
    res = last_sign_change(x, d, err, rng=np.random.default_rng(1), n_boot=4000)
    assert abs(res.x - 6.3) < 1e-12
    # two points bracket the root, each with error 0.01 over a slope 0.1 per unit: ~0.07
    assert 0.04 < res.error < 0.1
    assert res.interval[0] < 6.3 < res.interval[1]


def test_takes_the_last_change_and_reports_none():
    x = np.arange(6.0)
    d = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -2.0])
    assert last_sign_change(x, d, 1e-6 * np.ones(6), rng=np.random.default_rng(0)).x == 3.5
    none = last_sign_change(x, -np.ones(6), 1e-6 * np.ones(6), rng=np.random.default_rng(0))
    assert np.isnan(none.x) and none.missing == 1.0
