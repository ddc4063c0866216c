"""
Cavity method on the Bethe lattice: typical and mean density of states
======================================================================

On a tree the Anderson model can be solved exactly by the cavity recursion of Abou-Chacra,
Anderson & Thouless (AAT 1973). On the Bethe lattice with branching K (coordination K + 1),
hopping t = 1 (the unit of energy) and box disorder eps_i ~ U[-W/2, W/2], the cavity Green's
function of a node with its parent removed obeys, in law,

.. math::

    G = \\frac{1}{E + i\\eta - \\varepsilon - \\sum_{k=1}^{K} G_k},

with G_k independent copies (``docs/theory/bethe-lattice.md``). Population dynamics
represents the law of G by a pool of complex numbers updated generation by generation
(:func:`mbl.cavity.population`); eta is a small coupling to a bath, and the physics is the
limit eta -> 0 taken after the infinite tree:

- in the metal the local density of states rho = -Im G_ii / pi has a finite *typical*
  value rho_typ = exp<ln rho> as eta -> 0;
- in the insulator rho is a set of delta peaks: rho_typ ~ eta -> 0, while the *mean* DOS
  <rho> stays finite in both phases (it does not see the transition).

The transition itself follows from the linearized recursion: the growth factor lambda(1/2)
of the imaginary parts crosses 1 at W_c (:func:`mbl.cavity.lambda_kernel`); for K = 2,
W_c = 18.17 (Tikhonov & Mirlin 2019). The production versions are ``mbl reproduce
bethe-critical`` and ``bethe-gamma-distribution``.
"""

# %%
# rho_typ and <rho> versus W at three values of eta
# -------------------------------------------------
# Each point is a population of 4 independent pools of 20,000 members at E = 0, run until
# its logarithmic statistics stop moving, then measured over 10 generations; the error bars
# are standard errors over the pools. The mean DOS is shown at the largest eta: in the
# insulator its estimate at small eta is carried by rare resonances (the heavy tail
# P(rho) ~ rho^(-3/2)) and would need far larger pools; at strong disorder it approaches
# the atomic-limit value 1/W.

import matplotlib.pyplot as plt
import numpy as np

from mbl.cavity import (
    bethe,
    clean_local_green,
    lambda_kernel,
    large_k_wc,
    population,
    upper_limit_wc,
)

rng = np.random.default_rng(19730402)

K, W_c = 2, 18.17
W_grid = np.array([4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0])
etas = (1e-3, 1e-5, 1e-7)
runs = {eta: [population(bethe(K, float(W)), eta=eta, E=0.0, pool=20_000, pools=4,
                         measure=10, rng=rng) for W in W_grid] for eta in etas}

fig, ax = plt.subplots(figsize=(6.4, 4.6), layout="constrained")
for eta, res in runs.items():
    typ = np.array([r.rho_typ for r in res])
    err = np.array([r.rho_typ_error for r in res])
    ax.errorbar(W_grid, typ, yerr=err, fmt="o-", ms=4, capsize=3,
                label=rf"$\rho_{{\rm typ}}$, $\eta = 10^{{{np.log10(eta):.0f}}}$")
mean = np.array([r.rho_mean for r in runs[etas[0]]])
mean_err = np.array([r.rho_mean_error for r in runs[etas[0]]])
ax.errorbar(W_grid, mean, yerr=mean_err, fmt="k^--", ms=5, capsize=3,
            label=r"mean $\langle\rho\rangle$, $\eta = 10^{-3}$")
ax.plot(W_grid, 1 / W_grid, "k:", lw=1, label=r"atomic limit $\langle\rho\rangle = 1/W$")
ax.axvline(W_c, color="C3", lw=1, label=f"$W_c = {W_c}$ (K = 2)")
ax.set_yscale("log")
ax.set_xlabel("disorder $W$ (units of $t$)")
ax.set_ylabel(r"local density of states $\rho$ (1/$t$)")
ax.set_title(f"Bethe lattice, K = {K}, E = 0: population dynamics")
ax.legend(fontsize=8)
plt.show()

# %%
# The threshold from the linearized recursion
# -------------------------------------------
# Far in the insulator Im G is small and the recursion can be linearized in it; the
# imaginary parts then grow from generation to generation by the factor lambda(beta)^n for
# their beta-th moments, and delocalization sets in where lambda(1/2) = 1. We evaluate
# lambda(1/2) as the largest eigenvalue of the discretized transfer operator (pool of
# 20,000: a percent-level estimate) and interpolate ln lambda linearly in W. AAT's two
# closed-form approximations bracket the answer: the "upper limit" 2 e K / W ln(W/2) = 1
# (W = 29.12) and the large-K form 4 K / W ln(W/2) = 1 (W = 17.23).

W_lam = np.array([14.0, 16.0, 18.0, 20.0, 22.0])
lam = np.array([lambda_kernel(K, float(W), pool=20_000, rng=rng) for W in W_lam])
i = int(np.flatnonzero((lam[:-1] > 1) & (lam[1:] <= 1))[0])
W_est = W_lam[i] + (W_lam[i + 1] - W_lam[i]) * np.log(lam[i]) / np.log(lam[i] / lam[i + 1])

fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
ax.plot(W_lam, lam, "o-", label=r"$\lambda(1/2)$, transfer operator")
ax.axhline(1.0, color="k", lw=1)
ax.axvline(W_c, color="C3", lw=1, label=f"$W_c = {W_c}$ (Tikhonov & Mirlin)")
ax.axvline(large_k_wc(K), color="C2", ls=":", label=f"AAT large-K {large_k_wc(K):.2f}")
ax.set_xlabel("disorder $W$ (units of $t$)")
ax.set_ylabel(r"growth factor $\lambda(1/2)$")
ax.legend(fontsize=8)
plt.show()

# %%
# An exact check: Lloyd's model
# -----------------------------
# For Cauchy disorder of half-width gamma = W/2 the disorder average of G is exactly the
# clean Green's function at E + i(eta + gamma), on any graph (Lloyd 1969), so the mean DOS
# from population dynamics must match :func:`mbl.cavity.clean_local_green` within its
# statistical error.

W_lloyd, eta_lloyd, E_lloyd = 2.0, 1e-3, 0.5
lloyd = population(bethe(K, W_lloyd, "cauchy"), eta=eta_lloyd, E=E_lloyd, pool=20_000,
                   pools=4, measure=10, rng=rng)
exact = -clean_local_green(E_lloyd + 1j * (eta_lloyd + W_lloyd / 2), K).imag / np.pi

# %%
# Checks
# ------
# The eta-dependence of rho_typ between eta = 1e-5 and 1e-7 separates the phases: the
# exponent d ln rho_typ / d ln eta is 0 in the metal and 1 in the insulator (statistical
# estimates; near W_c the metal's rho_typ is exponentially small and the limit needs far
# smaller eta, so W = 16 may still look intermediate). The threshold from lambda(1/2) is a
# percent-level estimate of 18.17; the Lloyd comparison is exact up to the statistical error.

for W, a, b in zip(W_grid, runs[1e-5], runs[1e-7], strict=True):
    slope = np.log(b.rho_typ / a.rho_typ) / np.log(1e-7 / 1e-5)
    phase = "metal" if W < W_c else "insulator"
    print(f"W = {W:4.1f} ({phase:9s}): rho_typ = {b.rho_typ:.3e} at eta = 1e-7, "
          f"d ln rho_typ / d ln eta = {slope:+.2f} (expected {0 if W < W_c else 1})")
print(f"lambda(1/2) = 1 at W = {W_est:.2f} (Tikhonov & Mirlin {W_c}; AAT closed forms "
      f"{large_k_wc(K):.2f}, {upper_limit_wc(K):.2f})")
print(f"Lloyd model: <rho> = {lloyd.rho_mean:.5f} +- {lloyd.rho_mean_error:.5f}, exact "
      f"{exact:.5f} ({(lloyd.rho_mean - exact) / lloyd.rho_mean_error:+.1f} sigma)")
