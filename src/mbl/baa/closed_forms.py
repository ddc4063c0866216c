"""Closed forms of the Basko–Aleiner–Altshuler (BAA) theory (docs/theory/insulator.md §3.4,
docs/theory/metal.md).

Units: hbar = k_B = e = 1. Energies and temperatures are in units of the level spacing of one
localization volume, ``delta`` (BAA's delta_zeta), unless a ``delta`` argument is given; then
they are in the same unit as ``delta``. Lengths are in units of the localization length
``zeta`` (the cell size). ``lam`` is the dimensionless interaction strength lambda, ``M`` the
width of the interaction window in units of delta (not a number of levels), ``I`` the
dimensionless tunnelling amplitude between neighbouring cells, ``d`` the dimension.

Every function broadcasts like a numpy ufunc over array arguments and returns a float for
scalar arguments. Provenance of each constant (tags of docs/theory/index.md):

- ``T_in = delta / (6 pi M lam)``, ``T_el = delta / (16 pi^2 M d lam^2)`` [SLIDE]; T_el is the
  transport scale that makes the sigma and kappa corrections exact (docs/theory/metal.md §4.5), not
  the literal one-level definition on the slide.
- ``<Gamma_in> = pi lam^2 M T`` for T >> M delta, Poisson cell levels [RECON, §4.2].
- sigma_inf, kappa_inf and the low- and high-temperature coefficients [SLIDE, checked RECON].
  The high-T kappa coefficient 14/5 - 24/pi^2 follows BAA's printed formula, which omits the
  thermoelectric-fluctuation term (2/3)(1 - 6/pi^2) (docs/theory/metal.md §4.4).
- The T_c equation ``(12 lam M T_c/delta) ln(1/lam) = exp(kappa delta |ln I| / T_c)`` [SLIDE,
  OCR-damaged]: the constant ``kappa`` in the exponent was not recovered from the source and is
  **uncertain** (docs/theory/insulator.md §3.4); it is an input with default
  :data:`TC_KAPPA_DEFAULT` = 1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from mbl._core.errors import InputError

#: Catalan's constant G.
CATALAN = 0.915965594177219015054603514932384110774
#: sigma / sigma_inf = SIGMA_LOW_T * x for x = T^2/(delta T_el) << 1.
SIGMA_LOW_T = math.pi / 4.0
#: kappa / kappa_inf = KAPPA_LOW_T * x for x << 1 (48 G^2 / pi^3 = 1.2988229).
KAPPA_LOW_T = 48.0 * CATALAN**2 / math.pi**3
#: L / L0 for x << 1 (192 G^2 / pi^4 = 1.6537127).
LORENZ_LOW_T = 192.0 * CATALAN**2 / math.pi**4
#: sigma / sigma_inf = 1 - SIGMA_HIGH_T_COEF / x for x >> 1.
SIGMA_HIGH_T_COEF = 2.0 / 3.0
#: kappa / kappa_inf = 1 - KAPPA_HIGH_T_COEF / x for x >> 1 (14/5 - 24/pi^2 = 0.3682916).
KAPPA_HIGH_T_COEF = 14.0 / 5.0 - 24.0 / math.pi**2
#: L / L0 = 1 + LORENZ_HIGH_T_COEF / x for x >> 1 (0.2983751).
LORENZ_HIGH_T_COEF = SIGMA_HIGH_T_COEF - KAPPA_HIGH_T_COEF
#: Default of the uncertain constant kappa in the exponent of the T_c equation
#: (docs/theory/insulator.md §3.4).
TC_KAPPA_DEFAULT = 1.0
#: The prefactor 12 of the T_c equation's left-hand side [SLIDE].
TC_PREFACTOR = 12.0


def _positive(name: str, value, *, allow_zero: bool = False) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) | ((arr < 0) if allow_zero else (arr <= 0))
    if np.any(bad):
        need = "non-negative" if allow_zero else "positive"
        raise InputError(f"{name} must be finite and {need}, got {value!r}; pass {need} values.")
    return arr


def _dimension(d) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d not in (1, 2, 3):
        raise InputError(f"d must be the integer dimension 1, 2 or 3, got {d!r}.")
    return int(d)


def _out(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


def t_in(lam, M, delta=1.0):
    """Inelastic scale T_in = delta / (6 pi M lam), where var(Gamma_in) = <Gamma_in>^2.

    Above T_in the inelastic widths self-average (ergodic metal); between T_c and T_in the
    metal is non-ergodic. Same unit as ``delta``.
    """
    lam, M, delta = _positive("lam", lam), _positive("M", M), _positive("delta", delta)
    return _out(delta / (6.0 * math.pi * M * lam))


def t_el(lam, M, d, delta=1.0):
    """Elastic (transport) scale T_el = delta / (16 pi^2 M d lam^2); same unit as ``delta``."""
    d = _dimension(d)
    lam, M, delta = _positive("lam", lam), _positive("M", M), _positive("delta", delta)
    return _out(delta / (16.0 * math.pi**2 * M * d * lam**2))


def gamma_in_mean(lam, M, T):
    """Mean inelastic width <Gamma_in> = pi lam^2 M T (same unit as T), valid for T >> M delta.

    Counts level pairs with the constant density 1/delta (Poisson levels in a cell); level
    repulsion (GOE cells) lowers it by roughly (M - 2)/M (docs/theory/metal.md §4.2).
    """
    lam, M, T = _positive("lam", lam), _positive("M", M), _positive("T", T)
    return _out(math.pi * lam**2 * M * T)


def crossover_variable(T, lam, M, d, delta=1.0):
    """x = T^2 / (delta T_el) = 16 pi d T <Gamma_in> / delta^2: resonant level pairs per bond."""
    T = _positive("T", T)
    delta_arr = _positive("delta", delta)
    return _out(T**2 / (delta_arr * np.asarray(t_el(lam, M, d, delta))))


def sigma_inf(I, d, zeta=1.0):  # noqa: E741
    """High-temperature conductivity sigma_inf = 2 pi I^2 zeta^(2-d) (e = hbar = 1)."""
    d = _dimension(d)
    I, zeta = _positive("I", I), _positive("zeta", zeta)  # noqa: E741
    return _out(2.0 * math.pi * I**2 * zeta ** (2 - d))


def kappa_inf(I, T, d, zeta=1.0):  # noqa: E741
    """High-temperature thermal conductivity kappa_inf = 2 pi^3 T I^2 zeta^(2-d) / 3.

    Wiedemann–Franz with L0 = pi^2/3 (the slide's extra e^2 is a typo, docs/theory/metal.md §4.4).
    """
    d = _dimension(d)
    I, T, zeta = _positive("I", I), _positive("T", T), _positive("zeta", zeta)  # noqa: E741
    return _out(2.0 * math.pi**3 * T * I**2 * zeta ** (2 - d) / 3.0)


def _ratio_asymptotes(x, low_coef: float, high_coef: float) -> tuple[np.ndarray, np.ndarray]:
    x = _positive("x", x)
    return low_coef * x, 1.0 - high_coef / x


def sigma_ratio_asymptotes(x) -> tuple[np.ndarray, np.ndarray]:
    """sigma/sigma_inf in the two regimes: (pi/4 x for x << 1, 1 - (2/3)/x for x >> 1)."""
    return _ratio_asymptotes(x, SIGMA_LOW_T, SIGMA_HIGH_T_COEF)


def kappa_ratio_asymptotes(x) -> tuple[np.ndarray, np.ndarray]:
    """kappa/kappa_inf: (48 G^2/pi^3 x for x << 1, 1 - (14/5 - 24/pi^2)/x for x >> 1)."""
    return _ratio_asymptotes(x, KAPPA_LOW_T, KAPPA_HIGH_T_COEF)


def lorentz_ratio_asymptotes(x) -> tuple[np.ndarray, np.ndarray]:
    """L/L0 = 3 kappa/(pi^2 sigma T): (192 G^2/pi^4 for x << 1, 1 + 0.298375/x for x >> 1)."""
    x = _positive("x", x)
    return np.full_like(x, LORENZ_LOW_T), 1.0 + LORENZ_HIGH_T_COEF / x


def _tc_inputs(lam, I, M, kappa, delta) -> tuple[float, float, float, float, float]:  # noqa: E741
    vals = []
    for name, v in (("lam", lam), ("I", I), ("M", M), ("kappa", kappa), ("delta", delta)):
        if np.ndim(v) != 0:
            raise InputError(f"{name} must be a scalar for the T_c equation, got {v!r}.")
        vals.append(float(_positive(name, v)))
    if not vals[0] < 1.0:
        raise InputError(f"lam must be < 1 for ln(1/lam) > 0 in the T_c equation, got {lam!r}.")
    if not vals[1] < 1.0:
        raise InputError(f"I must be < 1 for |ln I| in the T_c equation, got {I!r}.")
    return tuple(vals)  # type: ignore[return-value]


def tc_asymptote(lam, M, delta=1.0) -> float:
    """T_c ~= delta / (12 lam M ln(1/lam)), the limit ``delta |ln I| / T_c << 1``
    (docs/theory/insulator.md §3.4)."""
    lam, _, M, _, delta = _tc_inputs(lam, 0.5, M, 1.0, delta)
    return delta / (TC_PREFACTOR * lam * M * math.log(1.0 / lam))


def tc_equation(lam, I, M, kappa=TC_KAPPA_DEFAULT, delta=1.0) -> float:  # noqa: E741
    """Root T_c of ``(12 lam M T/delta) ln(1/lam) = exp(kappa delta |ln I| / T)``
    (docs/theory/insulator.md §3.4).

    The left side rises linearly from 0 and the right side falls from +inf to 1, so the root
    is unique; it is found by bracketing (Brent). ``kappa`` is the O(1) constant of the
    exponent that the slide OCR lost: **uncertain**, default 1. T_c is always above
    :func:`tc_asymptote` and tends to it as ``|ln I| -> 0``.
    """
    lam, I, M, kappa, delta = _tc_inputs(lam, I, M, kappa, delta)  # noqa: E741
    t0 = tc_asymptote(lam, M, delta)
    a = kappa * delta * abs(math.log(I))

    def g(T: float) -> float:
        # log form of LHS = RHS: ln(T/t0) - a/T, monotone increasing in T
        return math.log(T / t0) - a / T

    # g(t0) = -a/t0 < 0 and g(t0 + 2a) = ln(1 + y) - (y/2)/(1 + y) > 0 with y = 2a/t0
    hi = t0 + 2.0 * a
    return float(brentq(g, t0, hi, xtol=1e-14 * hi, rtol=1e-13))
