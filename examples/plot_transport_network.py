"""
Variable-range hopping: Mott's law from Miller-Abrahams networks
================================================================

In an Anderson insulator at low temperature charge moves by phonon-assisted hops between
localized states. Miller & Abrahams map this onto a random resistor network: sites i at
random positions with energies e_i (Fermi level 0), joined by conductances

.. math::

    G_{ij} = G_0\\, e^{-s_{ij}}, \\qquad
    s_{ij} = \\frac{2 r_{ij}}{\\xi} + \\frac{|e_i| + |e_j| + |e_i - e_j|}{2T},

with xi the localization length. Hops are a trade-off between distance and energy; Mott's
optimization gives the typical hop length r_M ~ xi (T_0/T)^(1/(d+1)) and

.. math::

    \\sigma \\propto \\exp\\left[-(T_0/T)^{1/(d+1)}\\right], \\qquad T_0 = \\beta_d / (\\nu \\xi^d),

with nu the density of states per volume and energy and beta_2 ~ 13.8, beta_3 ~ 21.2
(Shklovskii & Efros; ``docs/theory/hopping.md``). Because the conductances span many
decades the network conductance is set by the critical (percolation) bond: s_c, the
smallest s whose bonds s_ij <= s_c connect the electrodes, and ln sigma ~ -s_c.

Units: the site density n = 1, the band width W = 1 (so nu = 1) and xi = 1; the energy unit
is then the level spacing in a localization volume delta_xi = 1/(nu xi^d) = 1, and
conductivities are in units of G_0 (2D: a sheet conductance). Each network is solved by
Kirchhoff's laws (sparse LU) between two electrodes, keeping the bonds within e^10 of the
critical one. The production version is ``mbl reproduce vrh-mott`` (d = 2 and 3).
"""

# %%
# A temperature sweep in 2D
# -------------------------
# Temperatures are chosen so that the Mott scale m(T) = (delta_xi/T)^(1/3) runs from 4 to
# 16; each network fills a box of 50 x 50 Mott lengths r_M(T) = (xi/2) m(T), so finite-size
# effects are the same at every T. Eight independent networks per temperature give the mean
# ln sigma and its standard error.

import matplotlib.pyplot as plt
import numpy as np

from mbl.transport import MillerAbrahams, fit_mott, mott_sweep
from mbl.transport.hopping import BETA
from mbl.transport.vrh import temperatures

rng = np.random.default_rng(19690801)

d = 2
spec = MillerAbrahams(d=d, xi=1.0, density=1.0, W=1.0, margin=10.0)
T = temperatures(spec, 4.0, 16.0, 8)
sweep = mott_sweep(spec, T, (50.0, 50.0), 8, rng)
ln_sigma = sweep.mean(sweep.ln_sigma)
err = sweep.standard_error()
s_c = sweep.mean(sweep.s_c)

# %%
# The fit ln sigma = ln A + a ln T - (T_0/T)^p with p free (:func:`mbl.transport.fit_mott`;
# the power-law prefactor A T^a is stated, not assumed away), the same fit with p fixed at
# 1/(d+1), whose T_0 gives beta_d = T_0 nu xi^d, and the critical-path
# estimate: by the scale invariance of the point process s_c = beta^(1/(d+1)) m(T) exactly
# in an infinite system, so <s_c / m>^(d+1) estimates beta_d directly. Errors are
# delete-one-realization jackknife errors.

fit = fit_mott(T, ln_sigma, err)
p, p_err = sweep.jackknife(lambda y, s: fit_mott(T, y, err).p)
beta_fit, beta_fit_err = sweep.jackknife(  # T_0 nu xi^d of the fit with p = 1/(d+1) fixed
    lambda y, s: fit_mott(T, y, err, p=1.0 / (d + 1)).T0 * spec.nu * spec.xi**d)
beta_cp, beta_cp_err = sweep.jackknife(lambda y, s: np.mean(s / sweep.mott) ** (d + 1))

x = T ** (-1.0 / (d + 1))
fine = np.linspace(x.min() * 0.95, x.max() * 1.05, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
left.errorbar(x, ln_sigma, yerr=err, fmt="o", capsize=3, label="Miller-Abrahams networks")
left.plot(fine, fit(fine ** -(d + 1.0)), "k-", lw=1,
          label=rf"fit: $p = {fit.p:.3f}$, $T_0 = {fit.T0:.1f}\,\delta_\xi$")
left.plot(x, -s_c, "s", mfc="none", label=r"critical path $-\langle s_c\rangle$")
left.set_xlabel(r"$T^{-1/3}$ ($T$ in units of $\delta_\xi$)")
left.set_ylabel(r"$\ln \sigma$ ($\sigma$ in units of $G_0$)")
left.set_title(f"2D variable-range hopping, {sweep.samples[0]} networks per T")
left.legend(fontsize=8)
right.plot(sweep.mott, s_c / sweep.mott, "o", label=r"$\langle s_c \rangle / m(T)$")
right.axhline(BETA[d] ** (1 / (d + 1)), color="k", ls="--",
              label=rf"$\beta_2^{{1/3}}$, $\beta_2 = {BETA[d]}$ (Shklovskii-Efros)")
right.set_xlabel(r"Mott scale $m(T) = (\delta_\xi/T)^{1/3}$")
right.set_ylabel(r"$s_c / m$ (dimensionless)")
right.legend(fontsize=8)
plt.show()

# %%
# Checks
# ------
# The fitted exponent against Mott's p = 1/(d+1) = 1/3, and beta_2 from the fit and from the
# critical paths against 13.8. All are statistical estimates from a small sweep (jackknife
# errors); the fitted p and T_0 are correlated with the free prefactor exponent a, so the
# critical-path beta is the sharper number.

print(f"Mott exponent p = {p:.3f} +- {p_err:.3f} (Mott 1/3 = {1 / 3:.3f}); prefactor "
      f"exponent a = {fit.a:.2f}")
print(f"beta_2 from the fit with p = 1/3: {beta_fit:.1f} +- {beta_fit_err:.1f}; from the "
      f"critical paths: "
      f"{beta_cp:.2f} +- {beta_cp_err:.2f} (Shklovskii-Efros {BETA[d]})")
print(f"largest Kirchhoff residual of all solves: {sweep.residual:.1e}")
