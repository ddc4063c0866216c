"""Children samplers: the random tree on which the cavity recursion runs
(docs/theory/bethe-lattice.md §6.1, §6.7; docs/theory/agkl.md §7.3).

Every node has an on-site energy eps, a number of children n and couplings V_k to them; the
cavity Green's function obeys G = 1 / (z - eps - sum_k V_k^2 G_k). A :class:`Tree` fixes the
three laws, so the same numba kernels serve

- the Bethe lattice (:func:`bethe`): n = K, V = 1, eps box / Gaussian / Cauchy
  (docs/conventions.md §2);
- the AGKL Fock-space tree of a quantum dot (:func:`agkl_tree`);
- the BAA electron-hole-pair tree (:func:`baa_pair_tree`).

A node of the full (non-cavity) graph has one neighbour more than a cavity node on the Bethe
lattice (K + 1); with Poisson branching the root has the same law as any node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba

from mbl._core.errors import InputError
from mbl.cavity import _random as rnd
from mbl.models.disorder import DISTRIBUTIONS

BRANCHINGS = ("fixed", "poisson")
COUPLINGS = ("fixed", "gaussian")


@dataclass(frozen=True)
class Tree:
    """Laws of one node of the tree.

    Attributes
    ----------
    branching : "fixed" or "poisson"
        The number of children: exactly ``K`` or Poisson of mean ``K``.
    K : float
        Branching number (fixed) or mean branching (poisson).
    disorder : "box", "gaussian" or "cauchy"
        Law of the on-site energies, of width ``W`` (conventions of docs/conventions.md §2).
    W : float
        Disorder width.
    coupling : "fixed" or "gaussian"
        Coupling to each child: exactly ``V`` or normal with standard deviation ``V``.
    V : float
        Coupling scale.
    """

    branching: str = "fixed"
    K: float = 2
    disorder: str = "box"
    W: float = 1.0
    coupling: str = "fixed"
    V: float = 1.0

    def __post_init__(self) -> None:
        if self.branching not in BRANCHINGS:
            raise InputError(f"branching must be one of {BRANCHINGS}, got {self.branching!r}")
        if self.coupling not in COUPLINGS:
            raise InputError(f"coupling must be one of {COUPLINGS}, got {self.coupling!r}")
        if self.disorder not in DISTRIBUTIONS:
            raise InputError(f"unknown disorder {self.disorder!r}; choose one of "
                             f"{DISTRIBUTIONS}")
        if self.branching == "fixed" and (self.K != int(self.K) or self.K < 1):
            raise InputError(f"a fixed branching K must be an integer >= 1, got {self.K}")
        if not (math.isfinite(self.K) and self.K > 0):
            raise InputError(f"the mean branching K must be finite and > 0, got {self.K}")
        if not (math.isfinite(self.W) and self.W >= 0):
            raise InputError(f"the disorder width W must be finite and >= 0, got {self.W}")
        if not (math.isfinite(self.V) and self.V > 0):
            raise InputError(f"the coupling V must be finite and > 0, got {self.V}")

    @property
    def root_extra(self) -> int:
        """Children a full-graph node has beyond a cavity node (1 on the Bethe lattice)."""
        return 1 if self.branching == "fixed" else 0

    def codes(self) -> tuple[int, float, int, float, int, float]:
        """The laws as plain numbers for the kernels (see :func:`children`)."""
        return (BRANCHINGS.index(self.branching), float(self.K),
                DISTRIBUTIONS.index(self.disorder), float(self.W),
                COUPLINGS.index(self.coupling), float(self.V))


def bethe(K: int, W: float, disorder: str = "box") -> Tree:
    """Anderson model on the Bethe lattice: branching K (coordination K + 1), hopping 1."""
    return Tree("fixed", K, disorder, W, "fixed", 1.0)


def agkl_tree(eps: float, g: float, *, Delta: float = 1.0, c_K: float = 1.0,
              c_W: float = 1.0) -> Tree:
    """AGKL's Fock-space tree of a quasiparticle of energy ``eps`` in a dot
    (docs/theory/agkl.md §7.3).

    Poisson branching of mean c_K (eps/Delta)^3 (the 2p1h states directly coupled), on-site
    energies uniform over a band c_W eps, Gaussian couplings of rms Delta / g. The O(1)
    constants c_K, c_W are not fixed by the theory [UNCERTAIN]; they move eps_c but not its
    scaling (g / ln g)^(1/2).
    """
    for name, value in (("eps", eps), ("g", g), ("Delta", Delta), ("c_K", c_K), ("c_W", c_W)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be finite and > 0, got {value}")
    return Tree("poisson", c_K * (eps / Delta) ** 3, "box", c_W * eps, "gaussian", Delta / g)


def baa_pair_tree(lam: float, M: float, T: float, *, delta: float = 1.0, c_K: float = 1.0,
                  c_W: float = 1.0) -> Tree:
    """BAA's electron-hole-pair tree of Fock space (docs/theory/bethe-lattice.md §6.7,
    docs/theory/insulator.md §3.4).

    A level decays by emitting an e-h pair; the final states have a density
    c_K M T / delta^2 per unit energy mismatch, mismatches spread over a window c_W delta,
    and couplings of rms lam delta (Gaussian). So the branching is Poisson of mean
    c_K c_W M T / delta. c_K, c_W are O(1) inputs [UNCERTAIN]; the AAT criterion on this tree
    reads (c_K M T lam / delta) ln(c_W / lam) ~ 1, the structure of BAA's T_c equation.
    """
    for name, value in (("lam", lam), ("M", M), ("T", T), ("delta", delta), ("c_K", c_K),
                        ("c_W", c_W)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be finite and > 0, got {value}")
    return Tree("poisson", c_K * c_W * M * T / delta, "box", c_W * delta, "gaussian",
                lam * delta)


@numba.njit(cache=True, inline="always")
def n_children(st, s, branching, K):
    """Number of children of one node."""
    if branching == 0:
        return int(K)
    return rnd.poisson(st, s, K)


@numba.njit(cache=True, inline="always")
def onsite(st, s, disorder, W):
    """One on-site energy: box U[-W/2, W/2], Gaussian sd W/sqrt(12), Cauchy HWHM W/2."""
    if disorder == 0:
        return W * (rnd.uniform(st, s) - 0.5)
    if disorder == 1:
        return W / math.sqrt(12.0) * rnd.normal(st, s)
    return 0.5 * W * math.tan(math.pi * (rnd.uniform(st, s) - 0.5))


@numba.njit(cache=True, inline="always")
def coupling2(st, s, coupling, V):
    """Squared coupling V_k^2 to one child."""
    if coupling == 0:
        return V * V
    x = V * rnd.normal(st, s)
    return x * x
