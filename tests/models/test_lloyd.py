"""The Lloyd model (exact results for tests, docs/theory/index.md).

With Cauchy on-site energies of half width gamma, the disorder average of the resolvent
G(z) = (z - H)^{-1}, Im z > 0, is the clean resolvent at z + i gamma, element by element.
mbl's Cauchy disorder of width W has gamma = W/2 (docs/conventions.md §2).
"""

from __future__ import annotations

import numpy as np
import pytest

from mbl.models import Anderson

SAMPLES = 10_000


def resolvents(model, z, rng):
    """G(z) of SAMPLES realizations, shape (SAMPLES, N, N), with disorder from the model."""
    N = model.n_sites
    H0 = model.hamiltonian(onsite=np.zeros(N)).toarray()
    eps = np.stack([model.draw_onsite(rng) for _ in range(SAMPLES)])
    A = np.broadcast_to(z * np.eye(N) - H0, (SAMPLES, N, N)).copy()
    A[:, np.arange(N), np.arange(N)] -= eps
    return np.linalg.inv(A), H0


def mean_and_se(x):
    """Mean of complex samples and the larger standard error of its real and imaginary parts."""
    se = max(x.real.std(ddof=1), x.imag.std(ddof=1)) / np.sqrt(x.size)
    return x.mean(), se


@pytest.mark.parametrize("shape", [(8,), (4, 4)])
@pytest.mark.parametrize(("E", "eta", "W"), [(0.5, 0.1, 1.0), (-1.2, 0.2, 2.0)])
def test_average_green_function_is_clean_one_shifted(shape, E, eta, W):
    model = Anderson(shape=shape, W=W, bc="periodic", disorder="cauchy")
    z, gamma = E + 1j * eta, W / 2
    G, H0 = resolvents(model, z, np.random.default_rng(2024))
    N = model.n_sites
    G_clean = np.linalg.inv((z + 1j * gamma) * np.eye(N) - H0)
    G_wrong = np.linalg.inv((z + 1.2j * gamma) * np.eye(N) - H0)  # a 20% wrong half width
    i, j = model.lattice.bonds()
    observables = {
        # averages over equivalent elements (translation and lattice symmetry of the mean):
        # the sites G_ii and the nearest-neighbour bonds G_ij
        "local": (np.einsum("sii->s", G) / N, G_clean[0, 0], G_wrong[0, 0]),
        "bond": (G[:, i, j].mean(axis=1), G_clean[i[0], j[0]], G_wrong[i[0], j[0]]),
    }
    for name, (x, exact, wrong) in observables.items():
        mean, se = mean_and_se(x)
        assert 4 * se < abs(wrong - exact), f"{name}: the test could not resolve gamma"
        assert abs(mean.real - exact.real) < 4 * se, (name, mean, exact, se)
        assert abs(mean.imag - exact.imag) < 4 * se, (name, mean, exact, se)
