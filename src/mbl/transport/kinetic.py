"""The BAA kinetic network (docs/theory/metal.md §4.4): sigma, kappa and the Lorentz number of the
metal.

Above T_in every cell of the BAA lattice is in local equilibrium; charge and heat flow between
neighbouring cells by tunnelling between their levels. Each bond is a random conductor with
G = A_0 (e = 1) and K = A_2 / T (:mod:`mbl.transport.kinetic_bonds`), and the cells form a
hypercubic resistor network (and a heat network with the same bonds) solved by Kirchhoff's
laws (:func:`mbl.transport.network.lattice_conductivity`).

Units: hbar = k_B = e = 1; energies in units of the cell level spacing delta; lengths in units
of the cell size zeta. Model: ``shape`` cells (axis 0 the transport direction, open; the other
axes periodic), in each ``n_levels`` GOE (or Poisson) levels of spacing delta centred on the
Fermi energy, covering ``|xi| <= window T + pair_cutoff``; widths Gamma_l = <Gamma> (1 + s z_l),
z_l a standard normal truncated to |z| < 3 (docs/theory/metal.md §4.1: Gaussian P(Gamma); s = T_in/T
by §4.3; default s = 0, uniform widths, the setting of BAA's closed forms).

The crossover variable is x = T^2/(delta T_el) = 16 pi d T <Gamma>/delta^2
(:func:`mbl.baa.closed_forms.crossover_variable` with <Gamma> =
:func:`mbl.baa.closed_forms.gamma_in_mean`); :func:`gamma_from_crossover` inverts it. The
results are the ratios sigma/sigma_inf, kappa/kappa_inf (sigma_inf = 2 pi I^2,
kappa_inf = (pi^2 T/3) sigma_inf) and L/L0 = 3 kappa/(pi^2 sigma T), none of which depends on I.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import truncnorm

from mbl._core.errors import InputError
from mbl.baa.closed_forms import kappa_inf, sigma_inf
from mbl.transport.emt import kirkpatrick_emt, second_order_emt
from mbl.transport.kinetic_bonds import bond_sums, draw_levels, level_count
from mbl.transport.network import lattice_bonds, lattice_conductivity

STATISTICS = ("goe", "poisson")
#: The rows of :meth:`KineticNetwork.ratios` and of :attr:`KineticSweep.values`.
RATIOS = ("sigma", "kappa", "sigma_emt2", "kappa_emt2", "sigma_ema", "kappa_ema")


def gamma_from_crossover(x, T: float, d: int, delta: float = 1.0):
    """Mean width <Gamma> = x delta^2 / (16 pi d T) at crossover variable x (unit of delta)."""
    return np.asarray(x, dtype=float) * delta**2 / (16.0 * math.pi * d * T)


@dataclass(frozen=True)
class KineticNetwork:
    """Specification of the kinetic network of cells (see the module docstring).

    Parameters
    ----------
    shape : tuple of int
        Cells per axis, d = len(shape) in (2, 3); axis 0 (>= 2 cells) carries the current.
    T : float
        Temperature in units of delta (needs T >> delta for the closed forms; >= 1 here).
    statistics : "goe" or "poisson"
        Level statistics inside a cell (docs/theory/baa-model.md §1.2: GOE); cells are always
        independent.
    window : float
        Levels with ``|xi| < window T`` are summed, the rest dropped (>= 6). The default 22
        drops 6e-10 of <G> and 9e-8 of <K> (x >> 1) and, where the bonds are heavy-tailed
        (x << 1), 2e-5 and 2e-4 of their typical values, 4e-4 of L/L0
        (:func:`mbl.transport.kinetic_bonds.levy_window_bias`; 1.4% at window 14).
    pair_cutoff : float
        Level pairs with ``|xi_l - xi_m| > pair_cutoff`` (units of delta, >= 2) enter with their
        mean; it must also exceed 20 (Gamma_l + Gamma_m) (checked per call).
    gamma_rel_std : float
        Relative standard deviation s of the widths, 0 <= s <= 1/3 (Gamma > 0 always).
    I : float
        Tunnelling amplitude in units of delta (the ratios do not depend on it).
    """

    shape: tuple[int, ...]
    T: float
    statistics: str = "goe"
    window: float = 22.0
    pair_cutoff: float = 8.0
    gamma_rel_std: float = 0.0
    I: float = 0.1  # noqa: E741 - the theory's name for the tunnelling

    def __post_init__(self) -> None:
        shape = tuple(int(n) for n in self.shape)
        object.__setattr__(self, "shape", shape)
        if len(shape) not in (2, 3) or min(shape) < 1 or shape[0] < 2:
            raise InputError(f"shape must have 2 or 3 axes (d = 2, 3) of >= 1 cells, with >= 2 "
                             f"along axis 0 (the transport direction); got {shape}")
        if self.statistics not in STATISTICS:
            raise InputError(f"statistics must be one of {STATISTICS}, not {self.statistics!r}")
        checks = (("T", self.T, 1.0, "a temperature of at least one level spacing"),
                  ("window", self.window, 6.0, "at least 6 temperatures"),
                  ("pair_cutoff", self.pair_cutoff, 2.0, "at least 2 level spacings"),
                  ("I", self.I, 1e-300, "a positive tunnelling"))
        for name, value, low, need in checks:
            if not (np.isfinite(value) and value >= low):
                raise InputError(f"{name} = {value!r}: need {need} (>= {low})")
        if not 0.0 <= self.gamma_rel_std <= 1.0 / 3.0:
            raise InputError(f"gamma_rel_std = {self.gamma_rel_std!r} must lie in [0, 1/3] so "
                             "that the Gaussian widths stay positive")

    @property
    def d(self) -> int:
        return len(self.shape)

    @property
    def n_levels(self) -> int:
        """Levels per cell (:func:`mbl.transport.kinetic_bonds.level_count`)."""
        return level_count(self.T, self.window, self.pair_cutoff, 1.0)

    def draw(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One disorder realization: levels xi (n_cells, n_levels) and width deviates z."""
        if not isinstance(rng, np.random.Generator):
            raise InputError("rng must be a numpy.random.Generator (numpy.random.default_rng)")
        n_cells = int(np.prod(self.shape))
        xi = draw_levels(n_cells, self.n_levels, self.statistics, rng)
        z = (truncnorm.rvs(-3.0, 3.0, size=xi.shape, random_state=rng)
             if self.gamma_rel_std > 0 else np.zeros(xi.shape))
        return xi, z

    def check_width(self, gamma: float) -> None:
        """Refuse a mean width that is not positive or too broad for the pair cutoff."""
        if not (np.isfinite(gamma) and gamma > 0):
            raise InputError(f"the mean width must be finite and > 0, got {gamma!r}")
        if self.pair_cutoff < 40.0 * gamma * (1 + 3 * self.gamma_rel_std):
            raise InputError(f"pair_cutoff = {self.pair_cutoff} is below 20 overlap widths "
                             f"(2 Gamma = {2 * gamma:.3g}); raise pair_cutoff or lower x")

    def bonds(self, xi: np.ndarray, z: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray]:
        """Bond conductances (G, K) in :func:`lattice_bonds` order at mean width ``gamma``.

        G = A_0 in units of e^2/hbar; K = A_2 / T in units of k_B^2 T/hbar (an energy).
        """
        self.check_width(gamma)
        i, j = lattice_bonds(self.shape)
        widths = gamma * (1.0 + self.gamma_rel_std * z)
        a0, a2 = bond_sums(xi, widths, i, j, self.T, window=self.window,
                           pair_cutoff=self.pair_cutoff, gamma_mean=gamma)
        scale = 2.0 * math.pi * self.I**2
        return scale * a0, scale * a2 / self.T

    def ratios(self, xi: np.ndarray, z: np.ndarray, gamma: float) -> np.ndarray:
        """sigma/sigma_inf and kappa/kappa_inf of the network, then of two effective media.

        Returns [network sigma, network kappa, EMT2 sigma, EMT2 kappa, EMA sigma, EMA kappa]
        (:data:`RATIOS`): EMT2 is the second-order value <g> - var(g)/(d <g>) of the
        realization's bonds (docs/theory/metal.md §4.4, infinite lattice), EMA Kirkpatrick's
        self-consistent medium of the same bonds (:func:`mbl.transport.emt.kirkpatrick_emt`).
        """
        G, K = self.bonds(xi, z, gamma)
        norm = (sigma_inf(self.I, self.d), kappa_inf(self.I, self.T, self.d))
        pairs = list(zip((G, K), norm, strict=True))
        net = [lattice_conductivity(g, self.shape, solver="direct")[0] / s for g, s in pairs]
        emt2 = [second_order_emt(g, self.d) / s for g, s in pairs]
        ema = [kirkpatrick_emt(g, self.d) / s for g, s in pairs]
        return np.array(net + emt2 + ema)


@dataclass(frozen=True)
class KineticSweep:
    """Per-realization ratios over a grid of crossover variables.

    ``values`` has shape (samples, 6, len(x)): sigma/sigma_inf, kappa/kappa_inf of the
    network and of two effective media (:data:`RATIOS`, :meth:`KineticNetwork.ratios`),
    same realization for every x (only the widths change).
    """

    spec: KineticNetwork
    x: np.ndarray
    values: np.ndarray

    def estimate(self, statistic: Callable[[np.ndarray], np.ndarray], blocks: int = 40
                 ) -> tuple[np.ndarray, np.ndarray]:
        """``statistic`` of the sample mean, with its jackknife standard error.

        ``statistic`` maps the mean of ``values`` over samples (shape (6, len(x))) to an
        array; the error comes from ``min(blocks, samples)`` delete-one-block means, which
        carries the correlation between the x values (same realizations) into fits.
        """
        return jackknife(self.values, statistic, blocks)


def jackknife(values: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray],
              blocks: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """``statistic`` of the mean of ``values`` over axis 0 (the samples) and its delete-one-block
    jackknife standard error over ``min(blocks, samples)`` blocks."""
    n = values.shape[0]
    if n < 2:
        raise InputError("a jackknife error needs at least 2 samples")
    groups = np.array_split(np.arange(n), min(blocks, n))
    total = values.sum(axis=0)
    value = np.asarray(statistic(total / n))
    reps = np.array([statistic((total - values[g].sum(axis=0)) / (n - g.size)) for g in groups])
    k = len(groups)
    return value, np.sqrt((k - 1) / k * ((reps - reps.mean(axis=0)) ** 2).sum(axis=0))


def lorenz_ratio(mean: np.ndarray) -> np.ndarray:
    """L/L0 = (kappa/kappa_inf)/(sigma/sigma_inf) = 3 kappa/(pi^2 sigma T) from sweep means."""
    return mean[1] / mean[0]


def _check_x(x) -> np.ndarray:
    x = np.atleast_1d(np.asarray(x, dtype=float))
    if x.ndim != 1 or not np.all(np.isfinite(x) & (x > 0)):
        raise InputError(f"x must be a 1-D array of positive crossover variables, got {x!r}")
    return x


def kinetic_realization(spec: KineticNetwork, x, rng: np.random.Generator) -> np.ndarray:
    """The ratios (:data:`RATIOS`) of one disorder realization at each x: shape (6, len(x)).

    The realization (levels and width deviates) is drawn once from ``rng`` and reused at every
    x; only the widths change. Cost: the levels (O(n_cells n_levels^2) for GOE) and
    O(len(x) n_bonds n_levels pair_cutoff) pair terms.
    """
    x = _check_x(x)
    return kinetic_points(spec, [(spec.T, float(v)) for v in x], rng)


def kinetic_points(spec: KineticNetwork, points, rng: np.random.Generator) -> np.ndarray:
    """The ratios of one realization at (T, x) points, T <= spec.T: shape (6, len(points)).

    The levels are in units of delta and do not depend on T, so one draw for ``spec`` (it
    covers window spec.T + pair_cutoff) serves every lower temperature too, and the
    temperatures are compared on the same levels (their values are correlated).
    """
    points = [(float(T), float(x)) for T, x in points]
    if not points or any(not (1.0 <= T <= spec.T) or not (np.isfinite(x) and x > 0)
                         for T, x in points):
        raise InputError(f"points must be (T, x) pairs with 1 <= T <= spec.T = {spec.T:g} and "
                         f"x > 0; got {points!r}")
    specs = {T: dataclasses.replace(spec, T=T) for T in {T for T, _ in points}}
    gammas = [float(gamma_from_crossover(x, T, spec.d)) for T, x in points]
    spec.check_width(max(gammas))  # the check does not depend on T
    xi, z = spec.draw(rng)
    return np.stack([specs[T].ratios(xi, z, gamma)
                     for (T, _), gamma in zip(points, gammas, strict=True)], axis=1)


def kinetic_sweep(spec: KineticNetwork, x, samples: int, rng: np.random.Generator, *,
                  progress: Callable[[int], None] | None = None) -> KineticSweep:
    """sigma/sigma_inf, kappa/kappa_inf (network, EMT2, EMA) at each x for ``samples`` draws.

    ``x`` are crossover variables T^2/(delta T_el) > 0; the realizations are drawn one after
    the other from ``rng`` (:func:`kinetic_realization`); ``progress(done)`` is called after
    each. For long ensembles, :func:`mbl.study.checkpoint.map_realizations` runs
    :func:`kinetic_realization` on several workers with a checkpoint per realization.
    """
    x = _check_x(x)
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise InputError(f"samples must be an integer >= 1, got {samples!r}")
    spec.check_width(float(gamma_from_crossover(x, spec.T, spec.d).max()))
    values = np.empty((samples, len(RATIOS), x.size))
    for s in range(samples):
        values[s] = kinetic_realization(spec, x, rng)
        if progress is not None:
            progress(s + 1)
    return KineticSweep(spec, x, values)
