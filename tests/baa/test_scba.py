"""The on-shell SCBA on a lattice of cells (docs/theory/scba.md): kernels against a direct
evaluation of the equations, the mean inelastic width against pi lam^2 M T, the convergence report,
the cavity widths, and bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.baa.metal import width_statistics
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.scba import (
    Cells,
    _Elastic,
    _inelastic,
    draw_cells,
    fermi,
    levels_for,
    pair_factor,
    solve,
    solve_at_energy,
)


def _params(lam, I, M, d=1):  # noqa: E741
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        return BAAParameters(lam, I, M, d)


def _direct_inelastic(xi, g, T, lam, M, e):
    """docs/theory/scba.md §2.1 term by term: pi lam^2 sum Y F A_conv over ordered distinct
    triples."""
    ups = lambda x: float(abs(x) <= M / 2)  # noqa: E731
    n = 1 - 2 * fermi(xi, T)
    out = np.zeros(len(xi))
    for l in range(len(xi)):  # noqa: E741
        s = 0.0
        for l1 in range(len(xi)):
            for l2 in range(len(xi)):
                for l3 in range(len(xi)):
                    if len({l, l1, l2, l3}) < 4:
                        continue
                    y = 0.5 * (ups(xi[l2] - xi[l]) * ups(xi[l1] - xi[l3])
                               - ups(xi[l1] - xi[l]) * ups(xi[l2] - xi[l3])) ** 2
                    f = 0.25 * (1 + n[l1] * n[l2] - n[l3] * (n[l1] + n[l2]))
                    x = e[l] - xi[l1] - xi[l2] + xi[l3]
                    w = g[l1] + g[l2] + g[l3]
                    s += y * f * w / (x * x + w * w) / math.pi
        out[l] = math.pi * lam**2 * s
    return out


def test_inelastic_kernel_matches_theory():
    p = _params(0.1, 0.05, 3.0)
    cells = draw_cells(p, 3, 12, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    g = rng.uniform(0.01, 0.3, cells.xi.shape)
    e = cells.xi + rng.normal(0, 0.2, cells.xi.shape)  # off shell too
    out = np.empty_like(g)
    _inelastic(cells.xi, g, fermi(cells.xi, 1.5), cells.lo, cells.hi, e, 0.01, 1e-9, False, out)
    for c in range(cells.n_cells):
        ref = _direct_inelastic(cells.xi[c], g[c], 1.5, 0.1, 3.0, e[c])
        np.testing.assert_allclose(out[c], ref, rtol=1e-12)


def test_elastic_kernel_matches_theory():
    """Messages seeded with the full widths give the plain elastic sum of
    docs/theory/scba.md §2.1."""
    p = _params(0.1, 0.05, 3.0, d=2)
    cells = draw_cells(p, 3, 6, np.random.default_rng(2))
    g = np.random.default_rng(3).uniform(0.01, 0.3, cells.xi.shape)
    el = _Elastic(cells, cells.xi, 1e-9, False, g)
    out = el.step(g - 1e-9, damping=1e-300)  # messages stay at the seed g
    assert cells.neighbours.shape == (9, 4)
    for c in range(cells.n_cells):
        nb = cells.xi[cells.neighbours[c]], g[cells.neighbours[c]]
        for l in range(cells.n_levels):  # noqa: E741
            # pi I^2 sum_a sum_m A_m(xi_l), A normalized
            ref = math.pi * 0.05**2 * np.sum(nb[1] / ((cells.xi[c, l] - nb[0]) ** 2
                                                      + nb[1] ** 2) / math.pi)
            assert out[c, l] == pytest.approx(ref, rel=1e-12)


def test_cavity_messages_exclude_exactly_the_return():
    """Every message is eta + inelastic + the elastic terms of its level from all neighbour
    levels but the receiving one, computed directly."""
    p = _params(0.1, 0.05, 3.0, d=2)
    cells = draw_cells(p, 3, 5, np.random.default_rng(4))
    rng = np.random.default_rng(5)
    g = rng.uniform(0.01, 0.3, cells.xi.shape)
    g_in = rng.uniform(0.0, 0.01, cells.xi.shape)
    el = _Elastic(cells, cells.xi, 1e-3, True, g)
    el.step(g_in, damping=1.0)  # messages from seed g: no damping
    nb, xi, i2 = cells.neighbours, cells.xi, 0.05**2
    for c in range(cells.n_cells):
        for k, b in enumerate(nb[c]):
            for l in range(cells.n_levels):  # noqa: E741
                for m in range(cells.n_levels):
                    terms = [i2 * g[b2, q] / ((xi[b, m] - xi[b2, q]) ** 2 + g[b2, q] ** 2)
                             for b2 in nb[b] for q in range(cells.n_levels)
                             if not (b2 == c and q == l)]
                    ref = 1e-3 + g_in[b, m] + sum(terms)
                    assert el.msg[c, k, l, m] == pytest.approx(ref, rel=1e-12)


def _counting_expectation(cells, T, lam, window):
    """pi lam^2 sum_{l2 in win(l)} sum_{l3} F [Y != 0] for the levels |xi| < window T: the
    SCBA sum with the Lorentzian over l1 replaced by its Poisson average (pi); it keeps the
    finite-M/T corrections of the combinatorics (the Y = 0 strip |xi_3 - xi_2| <= M/2 of
    relative weight ~ M f(1-f)/T, the thermal tail beyond the cell)."""
    M = cells.params.M
    out = []
    for xi in cells.xi:
        f = fermi(xi, T)
        for l in np.nonzero(np.abs(xi) < window * T)[0]:  # noqa: E741
            part = np.nonzero((np.abs(xi - xi[l]) <= M / 2) & (np.arange(xi.size) != l))[0]
            for l2 in part:
                keep = (np.arange(xi.size) != l) & (np.arange(xi.size) != l2)
                x3 = xi[keep]
                s = xi[l] - xi[l2]
                F = pair_factor(fermi(x3 + s, T), f[l2], f[keep])
                out.append(np.sum(F[np.abs(xi[l2] - x3) > M / 2]))
    return math.pi * lam**2 * np.sum(out) / np.count_nonzero(np.abs(cells.xi) < window * T)


def test_poisson_mean_inelastic_width_at_20_t_in():
    """<Gamma_in> = pi lam^2 M T (docs/theory/metal.md §4.2) with Poisson cell levels at T = 20
    T_in.

    lam = 0.0016, M = 5 (M^2 lam = 0.04 < 0.05, T / (M delta) = 27); 6 cells of 1597 levels
    (every level within 6 T of the Fermi energy); statistics over the levels with |xi| < 2 T,
    errors jackknifed over cells. The SCBA mean must agree within 4 standard errors with the
    counting expectation of the same cells (the Lorentzian sum over l1 replaced by pi), and
    that expectation within 5% of pi lam^2 M T.
    """
    p = BAAParameters(0.0016, 0.01, 5.0, 1)
    T = 20 * p.t_in
    cells = draw_cells(p, 6, levels_for(T, p.M, 6.0), np.random.default_rng(2026),
                       statistics="poisson")
    # one sweep from the metallic guess: the mean of a Lorentzian sum over Poisson positions
    # does not depend on the widths, so self-consistency is not needed for this check
    res = solve(cells, T, 1e-6, tol=1e-2, max_iter=1)
    st = width_statistics(cells.xi, res.gamma_in, T, 2.0)
    ref = p.gamma_in_mean(T)
    ratio, err = st.mean / ref, st.mean_error / ref
    count = _counting_expectation(cells, T, p.lambda_, 2.0) / ref
    print(f"<Gamma_in>/(pi lam^2 M T) = {ratio:.4f} +- {err:.4f} ({st.n_levels} levels); "
          f"counting expectation {count:.4f}")
    assert 0 < err < 0.04
    assert abs(count - 1) < 0.05
    assert abs(ratio - count) < 4 * err


def test_convergence_report():
    p = _params(0.05, 0.02, 4.0)
    cells = draw_cells(p, 3, levels_for(3.0, 4.0, 5.0), np.random.default_rng(4))
    res = solve(cells, 3.0, 1e-4, tol=1e-6, max_iter=200)
    assert res.converged and res.iterations == len(res.residuals) <= 200
    assert res.residuals[-1] < 1e-6 and res.residuals[0] > res.residuals[-1]
    np.testing.assert_allclose(res.gamma, 1e-4 + res.gamma_el + res.gamma_in, rtol=1e-5)
    short = solve(cells, 3.0, 1e-4, tol=1e-12, max_iter=2)
    assert not short.converged and short.iterations == 2 and len(short.residuals) == 2
    # a restart from the fixed point stops at once
    again = solve(cells, 3.0, 1e-4, tol=1e-5, gamma0=res.gamma)
    assert again.converged and again.iterations == 1
    # energy-resolved widths at eps = xi reproduce the on-shell ones
    at = solve_at_energy(cells, res, 0.0)
    assert at.converged and at.energies.shape == cells.xi.shape


def _resonant_pair(I: float, detuning: float) -> Cells:  # noqa: E741
    """Three cells on a ring, two levels each; levels 0 of cells 0 and 1 are detuned by
    ``detuning`` < I, all other levels are 10 delta away; the window holds no partner."""
    p = _params(1e-4, I, 0.5)
    xi = np.array([[0.0, 10.0], [detuning, -10.0], [20.0, -20.0]])
    nb = np.array([[1, 2], [0, 2], [0, 1]])
    idx = np.arange(2)
    return Cells(p, 3, xi, nb, np.tile(idx, (3, 1)), np.tile(idx + 1, (3, 1)), "poisson")


def test_cavity_removes_self_sustained_resonance():
    """Plain SCBA (Re Sigma dropped): a resonant pair sustains Gamma = sqrt(I^2 - x^2) at
    eta -> 0; with cavity widths the pair's width stays of order eta (module docstring)."""
    I, x, eta = 0.1, 0.06, 1e-8  # noqa: E741
    cells = _resonant_pair(I, x)
    g0 = np.full(cells.xi.shape, 0.05)
    plain = solve(cells, 1.0, eta, cavity=False, gamma0=g0, tol=1e-10, max_iter=500)
    assert plain.gamma[0, 0] == pytest.approx(math.sqrt(I**2 - x**2), rel=1e-3)
    cav = solve(cells, 1.0, eta, gamma0=g0, tol=1e-8, max_iter=500)
    assert cav.gamma[0, 0] < 10 * eta


def test_cavity_pair_near_exact_resonance_follows_eta():
    """|x| = I/100: the exact cavity gives Gamma = eta (1 + I^2/x^2), proportional to eta; a
    first-order subtraction (full width minus the term of l at its full width) would sustain
    Gamma ~ sqrt(2) I here, whatever eta."""
    I, x = 0.1, 1e-3  # noqa: E741
    cells = _resonant_pair(I, x)
    g0 = np.full(cells.xi.shape, 0.05)
    widths = [solve(cells, 1.0, eta, gamma0=g0, tol=1e-10, max_iter=500).gamma[0, 0]
              for eta in (1e-8, 1e-9)]
    assert widths[0] == pytest.approx(1e-8 * (1 + I**2 / x**2), rel=1e-3)
    assert widths[0] / widths[1] == pytest.approx(10.0, rel=1e-6)


@pytest.mark.parametrize("call", [
    lambda p, c, r: draw_cells(p, 2, 10, r),
    lambda p, c, r: draw_cells(p, 3, 3, r),
    lambda p, c, r: draw_cells(p, 3, 10, r, statistics="gue"),
    lambda p, c, r: draw_cells(p, 3, 10, 42),
    lambda p, c, r: draw_cells("p", 3, 10, r),
    lambda p, c, r: solve(c, 1.0, 0.0),
    lambda p, c, r: solve(c, -1.0, 1e-3),
    lambda p, c, r: solve(c, 1.0, 1e-3, damping=0.0),
    lambda p, c, r: solve(c, 1.0, 1e-3, max_iter=0),
    lambda p, c, r: solve(c, 1.0, 1e-3, gamma0=np.ones(3)),
    lambda p, c, r: solve_at_energy(c, None, 0.0),
    lambda p, c, r: levels_for(0.0, 5.0),
])
def test_bad_input(call):
    p = _params(0.05, 0.02, 4.0)
    rng = np.random.default_rng(0)
    cells = draw_cells(p, 3, 8, rng)
    with pytest.raises(InputError):
        call(p, cells, rng)


def test_seeded_realization_is_reproducible():
    p = _params(0.05, 0.02, 4.0)
    a = draw_cells(p, 3, 20, np.random.default_rng(9), statistics="poisson")
    b = draw_cells(p, 3, 20, np.random.default_rng(9), statistics="poisson")
    np.testing.assert_array_equal(a.xi, b.xi)
    assert np.all(np.diff(a.xi, axis=1) > 0)
    assert np.all((a.lo <= np.arange(20)) & (np.arange(20) < a.hi))
