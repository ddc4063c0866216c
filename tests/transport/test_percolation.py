"""The wrapping-cluster route to the Mott constant beta_d (mbl.transport.percolation)."""

from __future__ import annotations

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.transport.percolation import _bonds, _first_wrap, mott_threshold, wrapping_threshold


def _wrap_threshold(x, eps, box):
    i, j, s, disp = _bonds(np.asarray(x, float), np.asarray(eps, float), box, 3.0)
    order = np.argsort(s, kind="stable")
    k = _first_wrap(len(x), i.astype(np.int64), j.astype(np.int64), disp, order, float(box))
    return np.inf if k < 0 else float(s[order[k]])


def test_a_lattice_wraps_at_its_spacing():
    # a square lattice of spacing 1.3 with energies 0: nothing is bonded below s = 1.3, and
    # the first bonds of length 1.3 close rows around the periodic box
    n, a = 8, 1.3
    xs, ys = np.meshgrid(np.arange(n) * a, np.arange(n) * a, indexing="ij")
    x = np.column_stack([xs.ravel(), ys.ravel()])
    assert _wrap_threshold(x, np.zeros(len(x)), n * a) == pytest.approx(a)


def test_energies_enter_as_the_miller_abrahams_activation():
    # a ring of 10 sites on a line (2D box, y = 0), spacing 1, alternating energies +-0.2:
    # every bond joins opposite signs, E_ij = |e_i| + |e_j| = 0.4, so the ring closes at 1.4
    n = 10
    x = np.column_stack([np.arange(n) * 1.0, np.zeros(n)])
    eps = 0.2 * (-1.0) ** np.arange(n)
    assert _wrap_threshold(x, eps, float(n)) == pytest.approx(1.4)
    # same signs: E_ij = max(|e_i|, |e_j|) = 0.2
    assert _wrap_threshold(x, np.full(n, 0.2), float(n)) == pytest.approx(1.2)


def test_no_winding_without_a_loop_around_the_box():
    # two sites far apart never wrap
    assert _wrap_threshold([[0.0, 0.0], [1.0, 0.0]], [0.0, 0.0], 20.0) == np.inf


def test_two_dimensions_reproduce_shklovskii_efros():
    # beta_2 = 13.8 +- 1.2 (Shklovskii & Efros, ch. 9) against 30 realizations at box 20:
    # within two combined standard errors
    r = mott_threshold(2, (20.0,), 30, rng=np.random.default_rng(7))
    u, err = r.u_mean[0], r.u_error[0]
    beta, beta_err = r.beta(u), 3 * r.beta(u) * err / u  # d(u^3)/u^3 = 3 du/u
    assert abs(beta - 13.8) < 2 * np.hypot(beta_err, 1.2)


def test_refusals():
    with pytest.raises(InputError, match="d = 1"):
        wrapping_threshold(1, 10.0, rng=np.random.default_rng(0))
    with pytest.raises(InputError, match="too small"):
        wrapping_threshold(3, 2.0, rng=np.random.default_rng(0))
