"""One-parameter scaling collapse: Lambda(M, W) = f(M / xi(W)) (MacKinnon & Kramer 1981/83).

Curves of ln Lambda versus ln M for different W are shifted along ln M until they form one
curve; the shifts are ln xi(W). The common curve is a polynomial g in s = ln(M / xi), fitted
together with the shifts by weighted least squares. The overall scale of xi is fixed by the
strongly localized limit Lambda -> xi / M: g(s) + s -> 0 as s grows, imposed at the most
localized data point (an approximation there, stated in the result).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from mbl._core.errors import ConvergenceError, InputError

__all__ = ["Collapse", "one_parameter_collapse"]


@dataclass(frozen=True)
class Collapse:
    """``W`` (sorted), ``ln_xi`` and its standard errors, the curve's coefficients ``g``
    (numpy polynomial order, in s = ln(M/xi)), chi^2, dof and goodness of fit Q."""

    W: np.ndarray
    ln_xi: np.ndarray
    ln_xi_error: np.ndarray
    g: np.ndarray
    chi2: float
    dof: int
    Q: float

    @property
    def xi(self) -> np.ndarray:
        return np.exp(self.ln_xi)


def one_parameter_collapse(M: np.ndarray, W: np.ndarray, Lambda: np.ndarray,
                           Lambda_error: np.ndarray, *, degree: int = 4) -> Collapse:
    """Fit ln Lambda = g(ln M - ln xi(W)) (see the module docstring).

    Errors of ln xi are from the fit's covariance (curvature of chi^2), scaled by
    sqrt(chi^2/dof) when that exceeds 1.
    """
    M, W, lam, err = (np.asarray(a, float).ravel() for a in (M, W, Lambda, Lambda_error))
    if np.any(lam <= 0) or np.any(err <= 0):
        raise InputError("Lambda and its errors must be > 0")
    Ws, which = np.unique(W, return_inverse=True)
    if Ws.size < 2 or np.unique(M).size < 2:
        raise InputError("a collapse needs at least 2 disorder values and 2 sizes")
    y, sigma, lnM = np.log(lam), err / lam, np.log(M)
    # anchor: the most localized point sets the scale, xi = M Lambda there
    anchor = int(np.argmin(y))
    k_fix = which[anchor]
    ln_xi0 = np.array([np.median(lnM[which == k] + y[which == k]) for k in range(Ws.size)])
    free = np.arange(Ws.size) != k_fix
    fixed_value = lnM[anchor] + y[anchor]

    def unpack(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ln_xi = np.empty(Ws.size)
        ln_xi[k_fix] = fixed_value
        ln_xi[free] = p[:free.sum()]
        return ln_xi, p[free.sum():]

    def residuals(p: np.ndarray) -> np.ndarray:
        ln_xi, g = unpack(p)
        s = lnM - ln_xi[which]
        return (np.polynomial.polynomial.polyval(s, g) - y) / sigma

    if M.size - (Ws.size - 1) - (degree + 1) < 1:
        raise InputError(f"{M.size} points cannot fix {Ws.size + degree} parameters; lower "
                         "the degree or add points")
    s0 = lnM - ln_xi0[which]
    g0 = np.polynomial.polynomial.polyfit(s0, y, degree)
    res = optimize.least_squares(residuals, np.concatenate([ln_xi0[free], g0]), x_scale="jac")
    if not res.success:
        raise ConvergenceError(f"collapse fit did not converge: {res.message}")
    dof = M.size - res.x.size
    chi2 = float(np.sum(res.fun**2))
    cov = np.linalg.pinv(res.jac.T @ res.jac) * max(1.0, chi2 / dof)
    ln_xi, g = unpack(res.x)
    ln_xi_err = np.zeros(Ws.size)
    ln_xi_err[free] = np.sqrt(np.diag(cov)[:free.sum()])
    return Collapse(Ws, ln_xi, ln_xi_err, g, chi2, dof, float(stats.chi2.sf(chi2, dof)))
