"""Quasiparticle weights c†_alpha|FS> on eigenstates: exact limits and the interaction trend."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mbl.errors import InputError
from mbl.models.dot import QuantumDot
from mbl.observables.spectral import (
    QuasiparticleSpectrum,
    fermi_sea_plus_one,
    quasiparticle_weights,
)

N, NP = 10, 5


def _qp(g: float, seed: int, alpha: int = N - 2) -> tuple[QuasiparticleSpectrum, float]:
    """Spectrum of c†_alpha |FS> in a dot; also the free energy of that Fock state."""
    dot = QuantumDot(N, NP, g=g, window=math.inf)
    d = dot.draw_disorder(np.random.default_rng(seed))
    H = dot.hamiltonian(n=NP + 1, disorder=d).toarray()
    E, v = np.linalg.eigh(H)
    qp = quasiparticle_weights(v, E, dot.basis(NP + 1).states, fermi_sea_plus_one(N, NP, alpha))
    return qp, float(d.levels[:NP].sum() + d.levels[alpha])


def test_fermi_sea_plus_one():
    assert fermi_sea_plus_one(8, 3, 5) == 0b100111
    assert fermi_sea_plus_one(4, 0, 0) == 1
    assert fermi_sea_plus_one(4, 3, 3) == 0b1111
    with pytest.raises(InputError, match="is not empty"):
        fermi_sea_plus_one(8, 3, 2)
    with pytest.raises(InputError, match="no empty orbital"):
        fermi_sea_plus_one(4, 4, 3)
    with pytest.raises(InputError, match="alpha must be an integer"):
        fermi_sea_plus_one(8, 3, 5.0)


def test_no_interaction_gives_one_eigenstate():
    qp, e_free = _qp(math.inf, seed=1)
    assert qp.ipr == pytest.approx(1.0, abs=1e-12)
    assert qp.participation == pytest.approx(1.0)
    n = int(np.argmax(qp.weights))
    assert qp.energies[n] == pytest.approx(e_free, abs=1e-12)
    assert qp.width == pytest.approx(0.0, abs=1e-6)


def test_interaction_spreads_the_quasiparticle():
    """Weak coupling keeps most weight on one state; g < 1 spreads it over ~dim/3 states (the
    GOE value of 1/IPR), and the mean energy stays <qp|H|qp> = the free energy (no Hartree).
    Measured medians over 4 dots (N = 10, 6 particles, alpha = 8): 0.96, 0.05, 0.016."""
    dim = math.comb(N, NP + 1)
    iprs = {}
    for g in (100.0, 3.0, 0.5):
        vals = []
        for seed in range(4):
            qp, e_free = _qp(g, seed)
            assert qp.total_weight == pytest.approx(1.0, abs=1e-10)
            assert qp.mean_energy == pytest.approx(e_free, abs=1e-9)
            vals.append(qp.ipr)
        iprs[g] = float(np.median(vals))  # a rare resonance can split the weight at weak g
    assert iprs[100.0] > 0.9
    assert iprs[100.0] > iprs[3.0] > iprs[0.5]
    assert iprs[0.5] < 10 / dim


def test_spectral_function_normalization():
    qp, _ = _qp(1.0, seed=3)
    eta, wing = 0.2, 400.0  # the Lorentzian tails beyond the wings hold 2 eta / (pi wing)
    omega = np.linspace(qp.energies.min() - wing, qp.energies.max() + wing, 80001)
    A = qp.spectral_function(omega, eta)
    area = np.sum(A) * (omega[1] - omega[0])
    assert area == pytest.approx(1.0 - 2 * eta / (np.pi * wing), abs=1e-4)
    with pytest.raises(InputError, match="eta"):
        qp.spectral_function(omega, 0.0)


def test_weights_from_given_vectors():
    states = np.array([3, 5, 6, 9])
    v = np.linalg.qr(np.random.default_rng(0).standard_normal((4, 4)))[0]
    qp = quasiparticle_weights(v, np.arange(4.0), states, 6)
    np.testing.assert_allclose(qp.weights, v[2] ** 2)
    assert qp.ipr == pytest.approx(np.sum(v[2] ** 4))
    partial = quasiparticle_weights(v[:, :2], np.arange(2.0), states, 6)  # part of the spectrum
    assert partial.total_weight < 1.0
    with pytest.raises(InputError, match="not in the basis"):
        quasiparticle_weights(v, np.arange(4.0), states, 7)
    with pytest.raises(InputError, match="vectors must be"):
        quasiparticle_weights(v, np.arange(3.0), states, 6)
