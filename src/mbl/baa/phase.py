"""The phase of a point (lambda, I, M, T) from the SCBA, and the boundaries of the phase diagram.

docs/theory/phase-diagram.md §5.1: insulator (T < T_c: P(Gamma) -> delta(Gamma) in the order of
limits), non-ergodic metal (T_c < T <~ T_in: finite widths with var(Gamma) >~ <Gamma>^2) and ergodic
metal (T >> T_in: Gaussian P(Gamma)). :func:`classify` turns an
:class:`~mbl.baa.limits.LimitsResult` into one of the three, with its evidence: the insulator /
metal verdict of the order of limits, then, for a metal, the relative variance of the widths on the
largest lattice at the smallest eta (ergodic when below 1, the definition of T_in).
:func:`boundaries` gives the closed-form lines T_c (equation and asymptote), T_in and T_el on a grid
of lambda. Units: delta = 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError
from mbl.baa import closed_forms as cf
from mbl.baa.limits import LimitsResult

PHASES = ("insulator", "non-ergodic metal", "ergodic metal")


@dataclass(frozen=True)
class Classification:
    """Phase of one point with its evidence (see the module docstring)."""

    phase: str
    slope: float
    fraction: float
    fraction_error: float
    rel_var: float


def classify(result: LimitsResult) -> Classification:
    """Phase of the point of ``result``; the fraction is of broadened levels at the largest
    size and smallest eta, with its binomial standard error."""
    if not isinstance(result, LimitsResult):
        raise InputError("result must be the LimitsResult of order_of_limits().")
    g = result.gamma[-1][-1]
    frac = float(result.fraction[-1, -1])
    err = float(np.sqrt(max(frac * (1 - frac), 1.0 / g.size) / g.size))
    rel_var = float(g.var() / g.mean() ** 2)
    if result.verdict == "insulator":
        phase = PHASES[0]
    else:
        phase = PHASES[2] if rel_var < 1.0 else PHASES[1]
    return Classification(phase, result.slope, frac, err, rel_var)


def boundaries(lam, I: float, M: float, d: int, kappa: float = cf.TC_KAPPA_DEFAULT,  # noqa: E741
               delta: float = 1.0) -> dict[str, np.ndarray]:
    """T_c (equation with the uncertain ``kappa``, and its asymptote), T_in and T_el on ``lam``.

    Returns arrays keyed ``"tc"``, ``"tc_asymptote"``, ``"t_in"``, ``"t_el"``.
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    return {
        "tc": np.array([cf.tc_equation(v, I, M, kappa, delta) for v in lam]),
        "tc_asymptote": np.array([cf.tc_asymptote(v, M, delta) for v in lam]),
        "t_in": np.asarray(cf.t_in(lam, M, delta)),
        "t_el": np.asarray(cf.t_el(lam, M, d, delta)),
    }
