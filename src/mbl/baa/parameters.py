"""Parameters of the BAA lattice of cells, checked against the regime of the theory.

docs/theory/baa-model.md §1.2: lam << 1 (weak interaction), I << 1 (cells weakly coupled,
single-particle states localized), 1 << M << lam^(-1/2) (many levels in the interaction window, yet
T_in >> M delta, which needs M^2 lam << 1/(6 pi) ~ 0.05, docs/theory/metal.md §4.1). Values outside
the regime are allowed (numerics explore beyond it) but warn with :class:`RegimeWarning`, naming the
inequality. Impossible values (negative, non-finite, lam >= 1 or I >= 1, d not in 1..3) raise
:class:`~mbl._core.errors.InputError`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from mbl._core.errors import InputError
from mbl.baa import closed_forms as cf

#: "<<" is read as "smaller by at least this factor" in the regime warnings.
MUCH_SMALLER = 0.2
#: M^2 lam must stay below this for T_in >> M delta (1/(6 pi) ~ 0.053, docs/theory/metal.md §4.1).
M2_LAM_MAX = 0.05


class RegimeWarning(UserWarning):
    """A parameter lies outside the regime where the BAA theory is controlled."""


@dataclass(frozen=True)
class BAAParameters:
    """Model parameters of the BAA lattice of cells (docs/theory/baa-model.md §1.2), energies in
    units of delta.

    Parameters
    ----------
    lambda_ : float
        Dimensionless interaction strength lambda, 0 < lambda < 1.
    I : float
        Dimensionless tunnelling amplitude between neighbouring cells (amplitude I delta),
        0 < I < 1.
    M : float
        Width of the interaction window in units of delta (not a number of levels), M > 0.
    d : int
        Dimension of the hypercubic lattice of cells (1, 2 or 3).
    delta : float
        Level spacing of one cell (BAA's delta_zeta); the unit of every energy.
    """

    lambda_: float
    I: float  # noqa: E741 - the theory's name
    M: float
    d: int = 1
    delta: float = 1.0

    def __post_init__(self) -> None:
        for name in ("lambda_", "I", "M", "delta"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or v <= 0:
                raise InputError(f"{name} must be a finite positive number, got {v!r}.")
            object.__setattr__(self, name, float(v))
        if self.lambda_ >= 1.0:
            raise InputError(f"lambda_ = {self.lambda_} must be < 1 (weak interaction); "
                             "the theory is an expansion in lambda << 1.")
        if self.I >= 1.0:
            raise InputError(f"I = {self.I} must be < 1 (localized single-particle states).")
        if isinstance(self.d, bool) or self.d not in (1, 2, 3):
            raise InputError(f"d must be 1, 2 or 3, got {self.d!r}.")
        object.__setattr__(self, "d", int(self.d))
        for text in self.regime_violations():
            warnings.warn(text, RegimeWarning, stacklevel=3)

    def regime_violations(self) -> list[str]:
        """Each violated inequality of the regime, as a sentence (empty when inside)."""
        out = []
        if self.lambda_ > MUCH_SMALLER:
            out.append(f"lambda << 1 violated: lambda = {self.lambda_:g} > {MUCH_SMALLER}")
        if self.I > MUCH_SMALLER:
            out.append(f"I << 1 violated: I = {self.I:g} > {MUCH_SMALLER}")
        if self.M < 1.0 / MUCH_SMALLER:
            out.append(f"1 << M violated: M = {self.M:g} < {1.0 / MUCH_SMALLER:g}")
        if self.M**2 * self.lambda_ > M2_LAM_MAX:
            out.append(f"M << lambda^(-1/2) violated: M^2 lambda = {self.M**2 * self.lambda_:.3g}"
                       f" > {M2_LAM_MAX} (needed for T_in >> M delta)")
        return out

    @property
    def t_in(self) -> float:
        """T_in = delta / (6 pi M lambda)."""
        return cf.t_in(self.lambda_, self.M, self.delta)

    @property
    def t_el(self) -> float:
        """T_el = delta / (16 pi^2 M d lambda^2)."""
        return cf.t_el(self.lambda_, self.M, self.d, self.delta)

    def gamma_in_mean(self, T: float) -> float:
        """<Gamma_in> = pi lambda^2 M T (Poisson cell levels, T >> M delta)."""
        return cf.gamma_in_mean(self.lambda_, self.M, T)

    def tc_equation(self, kappa: float = cf.TC_KAPPA_DEFAULT) -> float:
        """Root of the T_c equation; ``kappa`` is the uncertain O(1) constant
        (docs/theory/insulator.md §3.4)."""
        return cf.tc_equation(self.lambda_, self.I, self.M, kappa, self.delta)

    def tc_asymptote(self) -> float:
        """T_c ~= delta / (12 lambda M ln(1/lambda))."""
        return cf.tc_asymptote(self.lambda_, self.M, self.delta)
