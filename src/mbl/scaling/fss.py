"""Finite-size scaling fits with irrelevant corrections (Slevin & Ohtsuki, PRL 82, 382 (1999)).

Near a critical point W_c a dimensionless quantity Lambda(M, W) (the reduced localization
length xi_M / M, or a gap ratio) obeys

    ln Lambda = F(chi_r M^(1/nu), chi_i M^(-y)),
    F(x, z) = sum_{j=0}^{n_i} z^j sum_{k=0}^{n_r} a_jk x^k,
    chi_r = w + sum_{k=2}^{m_r} b_k w^k,   chi_i = 1 + sum_{k=1}^{m_i} c_k w^k,   w = W - W_c,

with the relevant field chi_r (normalized by b_1 = 1) and the leading irrelevant one chi_i
(normalized by c_0 = 1) with exponent y > 0. The parameters minimize chi^2 over the data with
their standard errors; goodness of fit Q = P(chi^2_dof >= observed); 95% intervals from a
parametric bootstrap (synthetic data sets drawn with the data's errors and refitted), as
Slevin & Ohtsuki do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from mbl._core.errors import ConvergenceError, InputError

__all__ = ["ScalingFit", "ScalingModel", "fit_scaling"]


@dataclass(frozen=True)
class ScalingModel:
    """Orders of the expansion: ``n_r``, ``n_i`` of F, ``m_r``, ``m_i`` of the fields.

    ``n_i = 0`` is one-parameter scaling without irrelevant corrections (no ``y``).
    """

    n_r: int = 3
    n_i: int = 1
    m_r: int = 1
    m_i: int = 0

    def __post_init__(self) -> None:
        if self.n_r < 1 or self.m_r < 1 or self.n_i < 0 or self.m_i < 0:
            raise InputError(f"expansion orders need n_r, m_r >= 1 and n_i, m_i >= 0: {self}")

    @property
    def n_params(self) -> int:
        irrelevant = (1 + self.n_i * (self.n_r + 1) + self.m_i) if self.n_i else 0
        return 2 + (self.n_r + 1) + (self.m_r - 1) + irrelevant

    def unpack(self, p: np.ndarray) -> dict[str, np.ndarray | float]:
        """Named parameters from the flat vector ``p``."""
        i = 0

        def take(n: int) -> np.ndarray:
            nonlocal i
            i += n
            return p[i - n:i]

        Wc, nu = take(2)
        a = [take(self.n_r + 1)]
        b = take(self.m_r - 1)
        y, c = np.nan, np.zeros(0)
        if self.n_i:
            (y,) = take(1)
            a += [take(self.n_r + 1) for _ in range(self.n_i)]
            c = take(self.m_i)
        return {"W_c": Wc, "nu": nu, "y": y, "a": np.array(a), "b": b, "c": c}

    def fields(self, p: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(chi_r, chi_i) at disorder W."""
        q = self.unpack(p)
        w = W - q["W_c"]
        chi_r = w + sum(bk * w ** (k + 2) for k, bk in enumerate(q["b"]))
        chi_i = 1 + sum(ck * w ** (k + 1) for k, ck in enumerate(q["c"]))
        return chi_r, chi_i

    def evaluate(self, p: np.ndarray, M: np.ndarray, W: np.ndarray,
                 relevant_only: bool = False) -> np.ndarray:
        """ln Lambda predicted at (M, W); ``relevant_only`` drops the irrelevant terms."""
        q = self.unpack(p)
        chi_r, chi_i = self.fields(p, W)
        x = chi_r * M ** (1 / q["nu"])
        out = np.polynomial.polynomial.polyval(x, q["a"][0])
        if self.n_i and not relevant_only:
            z = chi_i * M ** (-q["y"])
            for j in range(1, self.n_i + 1):
                out = out + z**j * np.polynomial.polynomial.polyval(x, q["a"][j])
        return out


@dataclass(frozen=True)
class ScalingFit:
    """Result of :func:`fit_scaling`.

    ``W_c``, ``nu`` (and ``y``) with one standard error from the bootstrap and 95% percentile
    intervals; ``chi2``, ``dof`` and the goodness of fit ``Q``; ``params`` the best-fit vector
    for :meth:`ScalingModel.evaluate`.
    """

    model: ScalingModel
    params: np.ndarray
    W_c: float
    W_c_error: float
    W_c_interval: tuple[float, float]
    nu: float
    nu_error: float
    nu_interval: tuple[float, float]
    y: float
    y_error: float
    chi2: float
    dof: int
    Q: float
    n_boot: int

    def scaling_variable(self, M: np.ndarray, W: np.ndarray) -> np.ndarray:
        """x = chi_r(W) M^(1/nu), the argument of the scaling function."""
        chi_r, _ = self.model.fields(self.params, np.asarray(W, float))
        return chi_r * np.asarray(M, float) ** (1 / self.nu)

    def corrected(self, M: np.ndarray, W: np.ndarray, ln_lambda: np.ndarray) -> np.ndarray:
        """ln Lambda with the fitted irrelevant correction subtracted (for the collapse)."""
        M, W = np.asarray(M, float), np.asarray(W, float)
        return ln_lambda - (self.model.evaluate(self.params, M, W)
                            - self.model.evaluate(self.params, M, W, relevant_only=True))


def _start(model: ScalingModel, M: np.ndarray, W: np.ndarray, y: np.ndarray,
           W_c: float, nu: float) -> np.ndarray:
    """Initial vector: a polynomial in x fitted at the guessed (W_c, nu), small corrections."""
    x = (W - W_c) * M ** (1 / nu)
    a0 = np.polynomial.polynomial.polyfit(x, y, model.n_r)
    p = [W_c, nu, *a0, *np.zeros(model.m_r - 1)]
    if model.n_i:
        p += [2.0, *np.zeros(model.n_i * (model.n_r + 1)), *np.zeros(model.m_i)]
    return np.array(p, float)


def _least_squares(model: ScalingModel, M: np.ndarray, W: np.ndarray, y: np.ndarray,
                   sigma: np.ndarray, p0: np.ndarray) -> optimize.OptimizeResult:
    lower = np.full(p0.size, -np.inf)
    upper = np.full(p0.size, np.inf)
    lower[0], upper[0] = W.min(), W.max()
    lower[1], upper[1] = 0.2, 10.0
    if model.n_i:
        iy = 2 + model.n_r + 1 + model.m_r - 1
        lower[iy], upper[iy] = 0.05, 20.0
    p0 = np.clip(p0, lower + 1e-9, upper - 1e-9)
    return optimize.least_squares(
        lambda p: (model.evaluate(p, M, W) - y) / sigma, p0, bounds=(lower, upper),
        x_scale="jac", max_nfev=4000)


def fit_scaling(M: np.ndarray, W: np.ndarray, Lambda: np.ndarray, Lambda_error: np.ndarray,
                *, model: ScalingModel | None = None, W_c: float | None = None,
                nu: float = 1.5, n_boot: int = 300, rng: np.random.Generator) -> ScalingFit:
    """Fit ln Lambda(M, W) to the Slevin-Ohtsuki form (see the module docstring).

    Parameters
    ----------
    M, W, Lambda, Lambda_error : array_like, one entry per data point
        System size, disorder, the scaling quantity and its standard error.
    model : ScalingModel
        Expansion orders (default n_r = 3, n_i = 1, m_r = 1, m_i = 0).
    W_c, nu : float
        Starting values (W_c defaults to the middle of the W range).
    n_boot : int
        Synthetic data sets for the intervals (0: none, errors NaN).
    rng : numpy.random.Generator
        Stream of the bootstrap.
    """
    model = model or ScalingModel()
    M, W, lam, err = (np.asarray(a, float).ravel() for a in (M, W, Lambda, Lambda_error))
    if not (M.size == W.size == lam.size == err.size):
        raise InputError("M, W, Lambda and Lambda_error need one entry per data point")
    if np.any(lam <= 0) or np.any(err <= 0) or not np.all(np.isfinite(lam)):
        raise InputError("Lambda and its errors must be finite and > 0")
    dof = M.size - model.n_params
    if dof < 1:
        raise InputError(f"{M.size} data points cannot fix {model.n_params} parameters; add "
                         "points or lower the expansion orders")
    if np.unique(M).size < (3 if model.n_i else 2):
        raise InputError("a scaling fit needs at least 2 sizes (3 with irrelevant corrections)")
    y, sigma = np.log(lam), err / lam
    p0 = _start(model, M, W, y, W_c if W_c is not None else 0.5 * (W.min() + W.max()), nu)
    best = _least_squares(model, M, W, y, sigma, p0)
    if not best.success:
        raise ConvergenceError(f"scaling fit did not converge: {best.message}")
    chi2 = float(np.sum(best.fun**2))
    boots = []
    for _ in range(n_boot):
        fake = model.evaluate(best.x, M, W) + sigma * rng.standard_normal(M.size)
        res = _least_squares(model, M, W, fake, sigma, best.x)
        if res.success:
            boots.append(res.x)
    boots_arr = np.array(boots).reshape(len(boots), best.x.size)

    def summary(i: int) -> tuple[float, tuple[float, float]]:
        if len(boots) < 2:
            return np.nan, (np.nan, np.nan)
        col = boots_arr[:, i]
        lo, hi = np.percentile(col, [2.5, 97.5])
        return float(col.std(ddof=1)), (float(lo), float(hi))

    (wc_err, wc_int), (nu_err, nu_int) = summary(0), summary(1)
    q = model.unpack(best.x)
    y_err = summary(2 + model.n_r + 1 + model.m_r - 1)[0] if model.n_i else np.nan
    return ScalingFit(model, best.x, float(q["W_c"]), wc_err, wc_int, float(q["nu"]), nu_err,
                      nu_int, float(q["y"]), y_err, chi2, dof,
                      float(stats.chi2.sf(chi2, dof)), n_boot)
