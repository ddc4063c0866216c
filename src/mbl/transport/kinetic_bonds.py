"""Bond coefficients of the BAA kinetic network (docs/theory/metal.md §4.4): levels, widths,
overlaps.

Units: hbar = k_B = e = 1; energies, temperatures and widths in the unit of the level spacing
``delta`` of a cell (pass ``delta`` to use another unit). A bond (rho, rho + a) between two
cells of levels xi_l (widths Gamma_l) and xi_m (Gamma_m) carries

    A_n = 2 pi I^2 delta^2 sum_{l, m} int dxi xi^n w(xi) A_l(xi) A_m(xi),   w = -df/dxi,

with the normalized Lorentzian spectral functions A_l of half-width Gamma_l. The electric bond
conductance is G = A_0, the thermal one K = A_2 / T.

On-shell form
-------------
For Gamma << T the integral over xi is, for each pair, the overlap Lorentzian of half-width
g = Gamma_l + Gamma_m times an average of h(xi) = xi^n w(xi) over the two levels,

    int h A_l A_m  ~  (1/pi) g / [(xi_l - xi_m)^2 + g^2] * [Gamma_m h(xi_l) + Gamma_l h(xi_m)] / g,

which is exact to leading order in Gamma/T both at resonance (|xi_l - xi_m| << g) and far from
it (there the broadened level l meets the tail Gamma_m / (pi Delta^2) of the sharp level m).
The printed form of docs/theory/metal.md §4.4 puts h(xi_l) on both terms; the two agree when Gamma_l
= Gamma_m, up to the antisymmetric part h(xi_l) - h(xi_m), which averages out over pairs (relative
effect O((delta/T)^2)). :func:`pair_overlap_exact` integrates the product of Lorentzians numerically
for checks.

Truncations
-----------
- Pairs with |xi_l - xi_m| > ``pair_cutoff`` (D >> delta) enter with their disorder mean,
  (1/delta) [1 - (2/pi) arctan(D/g)] per level l (times the width weight). Far pairs hold no
  resonance, so their sum self-averages: the neglected fluctuation is that of a smooth linear
  statistic of the far levels, and the term itself is ~delta/(pi^2 D) of the smallest
  (picket-fence) value of the near sum.
- Levels with |xi_l| > ``window`` * T = cT are dropped. Two regimes set how much they carry.
  Where the bond sums self-average (x >> 1) it is the fraction :func:`thermal_tail` /
  int xi^n w of <A_n>: 2/(e^c + 1) for A_0 and ~(6/pi^2)(c^2 + 2c + 2) e^-c for A_2. For
  x << 1 a bond is heavy-tailed: Gamma times a sum of terms h(xi_l)/(pi Delta_lm^2), in the
  domain of the index-1/2 stable (Levy) law, whose scale is (sum_l sqrt(h(xi_l)))^2. There a
  level counts with sqrt(w) ~ e^(-|xi|/2T), not w, and the window removes the much larger
  fraction :func:`levy_window_loss` of the typical G and K: at c = 14, 1.2e-3 and 8.0e-3,
  which lowers the low-x Lorentz ratio by 1.4% (:func:`levy_window_bias`); at c = 22 by
  4e-4. The loss is not added back: it is the quantity to keep below the statistical error.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.integrate import quad
from scipy.linalg import eigvalsh_tridiagonal

from mbl._core.errors import InputError
from mbl.baa.closed_forms import CATALAN
from mbl.models.goe import semicircle_count

#: Fraction of a Dumitriu–Edelman spectrum used for one cell (its central part, |u| < 0.6 of
#: the semicircle radius, where the semicircle unfolds the finite-N density to well under 1%).
GOE_BULK_FRACTION = 0.7
#: Extra levels at each end of a cell's stack, beyond the window plus the pair cutoff.
LEVEL_PAD = 10


def thermal_weight(xi: np.ndarray, T: float) -> np.ndarray:
    """w(xi) = -df/dxi = 1/(4 T cosh^2(xi / 2T)), in 1/energy; int w dxi = 1."""
    e = np.exp(-np.abs(np.asarray(xi, dtype=float)) / T)
    return e / (T * (1.0 + e) ** 2)


def thermal_tail(n: int, c: float, T: float) -> float:
    """int_{|xi| > c T} xi^n w(xi) dxi for n = 0, 2 (units energy^n)."""
    if n == 0:
        return 2.0 / (math.exp(c) + 1.0)
    val, _ = quad(lambda y: y**n * math.exp(-y) / (1.0 + math.exp(-y)) ** 2, c, np.inf,
                  epsabs=0.0, epsrel=1e-12)
    return 2.0 * val * T**n


def levy_window_loss(n: int, c: float) -> float:
    """Fraction of int |xi|^(n/2) sqrt(w(xi)) dxi beyond |xi| > c T, n = 0 or 2.

    In the heavy-tailed (x << 1) regime this is the relative loss of the scale of the Levy
    law of G (n = 0) or K (n = 2) when levels beyond the window c T are dropped (see the
    module docstring); it does not depend on T.
    """
    if n not in (0, 2):
        raise InputError(f"n must be 0 (G) or 2 (K), got {n!r}")
    # sqrt(w) T^(1/2) = 1/(2 cosh(y/2)), y = xi/T; int_0^inf y^(n/2) / cosh(y/2) dy = pi, 8 G
    total = math.pi if n == 0 else 8.0 * CATALAN
    val, _ = quad(lambda y: y ** (n // 2) * 2.0 * math.exp(-0.5 * y) / (1.0 + math.exp(-y)),
                  c, np.inf, epsabs=0.0, epsrel=1e-12)
    return val / total


def levy_window_bias(c: float) -> float:
    """Relative bias of the low-x (Levy) Lorentz ratio from the window c T:
    ((1 - loss_K)/(1 - loss_G))^2 - 1 (:func:`levy_window_loss`); -1.4% at c = 14."""
    return ((1.0 - levy_window_loss(2, c)) / (1.0 - levy_window_loss(0, c))) ** 2 - 1.0


def pair_overlap(xi_l, xi_m, gamma_l, gamma_m, T: float, n: int) -> np.ndarray:
    """On-shell approximation of int xi^n w(xi) A_l(xi) A_m(xi) dxi (see the module docstring).

    Broadcasts over its array arguments; units energy^(n-1).
    """
    xi_l, xi_m = np.asarray(xi_l, dtype=float), np.asarray(xi_m, dtype=float)
    g = np.asarray(gamma_l, dtype=float) + np.asarray(gamma_m, dtype=float)
    h_l = xi_l**n * thermal_weight(xi_l, T)
    h_m = xi_m**n * thermal_weight(xi_m, T)
    return (gamma_m * h_l + gamma_l * h_m) / (np.pi * ((xi_l - xi_m) ** 2 + g * g))


def pair_overlap_exact(xi_l: float, xi_m: float, gamma_l: float, gamma_m: float, T: float,
                       n: int) -> float:
    """int xi^n w(xi) A_l(xi) A_m(xi) dxi by adaptive quadrature (for checks; slow)."""
    def integrand(x: float) -> float:
        a_l = gamma_l / (np.pi * ((x - xi_l) ** 2 + gamma_l**2))
        a_m = gamma_m / (np.pi * ((x - xi_m) ** 2 + gamma_m**2))
        return x**n * float(thermal_weight(x, T)) * a_l * a_m

    # The peaks (widths Gamma) within [lo, hi], then the smooth tails out to infinity.
    g = gamma_l + gamma_m
    lo, hi = min(xi_l, xi_m) - 100.0 * g, max(xi_l, xi_m) + 100.0 * g
    pts = sorted({xi_l - gamma_l, xi_l, xi_l + gamma_l, xi_m - gamma_m, xi_m, xi_m + gamma_m})
    opts = dict(limit=500, epsabs=0.0, epsrel=1e-11)
    parts = [quad(integrand, lo, hi, points=pts, **opts)[0],
             quad(integrand, -np.inf, lo, **opts)[0], quad(integrand, hi, np.inf, **opts)[0]]
    return float(sum(parts))


def level_count(T: float, window: float, pair_cutoff: float, delta: float) -> int:
    """Levels per cell: the weighted window |xi| < window T, the pair cutoff and a pad."""
    return int(math.ceil(2.0 * (window * T + pair_cutoff) / delta)) + 2 * LEVEL_PAD


def draw_levels(n_cells: int, n: int, statistics: str, rng: np.random.Generator,
                delta: float = 1.0) -> np.ndarray:
    """``n`` sorted levels of mean spacing ``delta`` around 0 for each of ``n_cells`` cells.

    ``"goe"``: the central ``n`` eigenvalues of a Dumitriu–Edelman tridiagonal matrix of size
    ``n / GOE_BULK_FRACTION`` (all eigenvalues by LAPACK ``sterf``, much faster than selecting
    by index), unfolded with the semicircle (:mod:`mbl.models.goe`); cells independent.
    ``"poisson"``: ``n - 2`` independent uniform levels on [-(n/2 - 1) delta, (n/2 - 1) delta]
    (density 1/delta) and two more at -+ n delta/2, so that the stack always covers the
    window plus the pad (a pad of 10 free levels is empty with probability e^-10, which a 24^2
    lattice met in a tenth of its realizations).
    Returns an array of shape (n_cells, n).
    """
    if statistics == "poisson":
        half = 0.5 * n * delta
        inner = rng.uniform(-half + delta, half - delta, size=(n_cells, n - 2))
        ends = np.broadcast_to([-half, half], (n_cells, 2))
        return np.sort(np.concatenate([ends[:, :1], inner, ends[:, 1:]], axis=1), axis=1)
    size = int(math.ceil(n / GOE_BULK_FRACTION))
    size += (size - n) % 2
    lo = (size - n) // 2
    out = np.empty((n_cells, n))
    for c in range(n_cells):
        diag = rng.normal(0.0, math.sqrt(2.0), size)
        off = np.sqrt(rng.chisquare(np.arange(size - 1, 0, -1.0)))
        x = eigvalsh_tridiagonal(diag, off, lapack_driver="sterf")[lo:lo + n]
        out[c] = delta * (semicircle_count(x, 2.0 * math.sqrt(size), size) - 0.5 * size)
    return out


@numba.njit(cache=True)
def _directed_sums(xi, gam, src, dst, T, lcut, D, gbar, delta):  # pragma: no cover - numba
    """sum_{l in src, |xi_l| < lcut} h_n(xi_l) sum_{m in dst} L_lm Gamma_m / g, n = 0 and 2.

    Pairs beyond |xi_l - xi_m| > D enter with their mean (widths Gamma_m -> gbar).
    """
    nb, n = src.size, xi.shape[1]
    out = np.zeros((nb, 2))
    for b in range(nb):
        xa, ga, xb, gb = xi[src[b]], gam[src[b]], xi[dst[b]], gam[dst[b]]
        lo = 0
        s0 = 0.0
        s2 = 0.0
        for k in range(n):
            x = xa[k]
            if x < -lcut:
                continue
            if x > lcut:
                break
            while lo < n and xb[lo] < x - D:
                lo += 1
            acc = 0.0
            m = lo
            while m < n and xb[m] <= x + D:
                dx = x - xb[m]
                g = ga[k] + gb[m]
                acc += gb[m] / (dx * dx + g * g)
                m += 1
            gg = ga[k] + gbar
            acc = acc / np.pi + gbar / gg * (1.0 - 2.0 / np.pi * np.arctan(D / gg)) / delta
            e = np.exp(-abs(x) / T)
            h = e / (T * (1.0 + e) ** 2) * acc
            s0 += h
            s2 += x * x * h
        out[b, 0] = s0
        out[b, 1] = s2
    return out


def bond_sums(xi: np.ndarray, gamma: np.ndarray, i: np.ndarray, j: np.ndarray, T: float, *,
              window: float, pair_cutoff: float, gamma_mean: float, delta: float = 1.0
              ) -> tuple[np.ndarray, np.ndarray]:
    """(A_0, A_2) / (2 pi I^2 delta^2) for the bonds (i_b, j_b) between cells of levels ``xi``.

    ``xi`` and ``gamma`` have shape (n_cells, n_levels), levels sorted in each cell and
    covering |xi| <= window T + pair_cutoff. Units: A_0 / (2 pi I^2 delta^2) in 1/delta^2,
    A_2 / (...) in energy^2/delta^2. Both pair directions and the far-pair mean are added;
    levels beyond window T are dropped (see the module docstring for the bound).
    """
    if np.any(xi[:, 0] > -(window * T + pair_cutoff)) or np.any(
            xi[:, -1] < window * T + pair_cutoff):
        raise InputError("the cell levels do not cover |xi| <= window T + pair_cutoff; draw "
                         "level_count(...) levels per cell")
    args = (T, window * T, pair_cutoff, gamma_mean, delta)
    i, j = np.ascontiguousarray(i, dtype=np.int64), np.ascontiguousarray(j, dtype=np.int64)
    s = _directed_sums(xi, gamma, i, j, *args) + _directed_sums(xi, gamma, j, i, *args)
    return s[:, 0], s[:, 1]
