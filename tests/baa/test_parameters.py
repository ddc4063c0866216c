"""BAAParameters: validation and regime warnings naming the violated inequality."""

from __future__ import annotations

import warnings

import pytest

from mbl._core.errors import InputError
from mbl.baa import closed_forms as cf
from mbl.baa.parameters import BAAParameters, RegimeWarning


def test_inside_regime_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = BAAParameters(0.001, 0.05, 6, d=2)
    assert p.t_in == pytest.approx(cf.t_in(0.001, 6))
    assert p.t_el == pytest.approx(cf.t_el(0.001, 6, 2))
    assert p.gamma_in_mean(3.0) == pytest.approx(cf.gamma_in_mean(0.001, 6, 3.0))
    assert p.tc_equation() == pytest.approx(cf.tc_equation(0.001, 0.05, 6))
    assert p.tc_equation(kappa=2.0) > p.tc_equation()
    assert p.tc_asymptote() == pytest.approx(cf.tc_asymptote(0.001, 6))
    assert p.regime_violations() == []


@pytest.mark.parametrize("kwargs, text", [
    (dict(lambda_=0.5, I=0.05, M=1.2), "lambda << 1"),
    (dict(lambda_=0.001, I=0.5, M=6), "I << 1"),
    (dict(lambda_=0.001, I=0.05, M=2), "1 << M"),
    (dict(lambda_=0.01, I=0.05, M=6), "M << lambda^(-1/2)"),
])
def test_regime_warnings(kwargs, text):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BAAParameters(**kwargs)
    messages = [str(w.message) for w in caught if issubclass(w.category, RegimeWarning)]
    assert any(text in m for m in messages), messages


@pytest.mark.parametrize("kwargs", [
    dict(lambda_=-0.1, I=0.1, M=5), dict(lambda_=1.0, I=0.1, M=5), dict(lambda_=0.1, I=1.0, M=5),
    dict(lambda_=0.1, I=0.1, M=0), dict(lambda_=0.1, I=0.1, M=5, d=4),
    dict(lambda_=0.1, I=0.1, M=5, d=True), dict(lambda_=float("inf"), I=0.1, M=5),
    dict(lambda_="0.1", I=0.1, M=5), dict(lambda_=0.1, I=0.1, M=5, delta=0.0),
])
def test_bad_parameters(kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        with pytest.raises(InputError):
            BAAParameters(**kwargs)
