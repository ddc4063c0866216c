"""Cavity methods on trees: the Bethe lattice (Abou-Chacra, Anderson & Thouless), AGKL's
Fock-space tree and BAA's electron-hole-pair tree (docs/theory/bethe-lattice.md,
docs/theory/agkl.md).

- :func:`population`: finite-eta population dynamics, P(Gamma) and the local DOS;
- :func:`lambda_pool`: lambda(beta) from the real-energy pool with positive weights (any tree);
- :func:`lambda_kernel`: lambda(beta) on the Bethe lattice as the largest eigenvalue of the
  discretized transfer operator (precise; no finite-pool bias);
- :func:`critical_disorder`, :func:`mobility_edge`: roots of lambda(1/2) = 1 with errors;
- closed forms: AAT's upper-limit and large-K thresholds, Kesten–McKay, the clean Green's
  function (Lloyd's exact Cauchy average).
"""

from mbl.cavity.closed_forms import (
    clean_local_green,
    kesten_mckay_dos,
    large_k_lambda,
    large_k_wc,
    upper_limit_lambda,
    upper_limit_wc,
)
from mbl.cavity.critical import (
    PoolThreshold,
    ThresholdResult,
    critical_disorder,
    mobility_edge,
    pool_threshold,
)
from mbl.cavity.kernel import lambda_kernel
from mbl.cavity.population import PopulationResult, population, tail_exponent
from mbl.cavity.stability import GrowthResult, lambda_pool, stationary_pool
from mbl.cavity.tree import Tree, agkl_tree, baa_pair_tree, bethe

__all__ = ["GrowthResult", "PoolThreshold", "PopulationResult", "ThresholdResult", "Tree",
           "agkl_tree", "baa_pair_tree", "bethe", "clean_local_green", "critical_disorder",
           "kesten_mckay_dos", "lambda_kernel", "lambda_pool", "large_k_lambda", "large_k_wc",
           "mobility_edge", "pool_threshold", "population", "stationary_pool", "tail_exponent",
           "upper_limit_lambda", "upper_limit_wc"]
