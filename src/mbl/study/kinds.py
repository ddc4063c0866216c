"""Study kinds, declared in one place: what each accepts, what it writes, which task runs it.

A :class:`Kind` names the models, observables and solver methods a study of that kind
accepts (:func:`mbl.study.config.parse_config` refuses anything else before any work), its
outputs (declared in :mod:`mbl.study.variables`: long name, units, own dimension of each
array output) and its task function
``task(point, rng) -> dict``. A task receives the resolved sections of its grid point
(``model``, ``solver``, ``observables``) and a generator seeded for (point, sample), and
returns named scalars and arrays; the task functions live in :mod:`mbl.study.tasks` and are
imported when first asked for, so reading the declarations stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mbl.solvers.plan import auto_candidates
from mbl.study.variables import DYNAMICS, SPECTRUM, TMM, Variable

TaskFunction = Callable[[dict[str, Any], np.random.Generator], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """The declaration of a study kind.

    Attributes
    ----------
    task_path : str
        ``"module:function"`` of the task function (see :attr:`task`).
    models : tuple of str
        ``[model] name`` values the kind accepts.
    observables : tuple of str
        ``[observables] names`` entries the kind accepts (none: the task measures a fixed set).
    methods : tuple of str
        ``[solver] method`` values the kind accepts.
    default_observables : tuple of str
        What ``names`` means when a study leaves it out.
    outputs : dict of str to Variable
        Every output of the task, declared in :mod:`mbl.study.variables`.
    """

    task_path: str
    models: tuple[str, ...]
    observables: tuple[str, ...]
    methods: tuple[str, ...]
    default_observables: tuple[str, ...] = ()
    outputs: dict[str, Variable] = field(default_factory=dict)

    @property
    def axes(self) -> dict[str, str]:
        """Own dimension name of each array output (scalars have none)."""
        return {name: v.dim for name, v in self.outputs.items() if v.dim is not None}

    @property
    def task(self) -> TaskFunction:
        """The task function, imported on first use."""
        module, name = self.task_path.split(":")
        return getattr(importlib.import_module(module), name)


MANY_BODY_CHAINS = ("xxz", "aubry_andre", "fermions")

KINDS: dict[str, Kind] = {
    "spectrum": Kind(
        "mbl.study.tasks.spectrum:spectrum_task",
        models=("anderson", *MANY_BODY_CHAINS, "baa_cells", "dot"),
        observables=("gap_ratio", "r_eps", "ipr", "participation_ratio", "dos", "entanglement",
                     "participation_entropy", "kl", "quasiparticle"),
        methods=("auto", "dense", "shift_invert", "polfed"),
        default_observables=("gap_ratio",),
        outputs=SPECTRUM),
    "tmm": Kind(
        "mbl.study.tasks.tmm:tmm_task",
        models=("anderson_bar",),
        observables=(),  # always the Lyapunov exponent and Lambda, with their errors
        methods=("auto",),  # the transfer matrix has no eigensolver to choose
        outputs=TMM),
    "dynamics": Kind(
        "mbl.study.tasks.dynamics:dynamics_task",
        models=MANY_BODY_CHAINS,
        observables=("imbalance", "return_probability", "entanglement"),
        methods=("auto", "dense", "krylov"),
        default_observables=("imbalance",),
        outputs=DYNAMICS),
}

#: Every kind, observable and solver method a study can name (the config schema's lists).
STUDY_KINDS = tuple(KINDS)
OBSERVABLES = tuple(dict.fromkeys(o for kind in KINDS.values() for o in kind.observables))
METHODS = tuple(dict.fromkeys(m for kind in KINDS.values() for m in kind.methods))

#: Spectrum observables measured on eigenvectors.
VECTOR_OBSERVABLES = frozenset({"ipr", "participation_ratio", "entanglement",
                                "participation_entropy", "kl", "quasiparticle"})
#: Spectrum observables of the whole spectrum: they need the dense method.
DENSE_OBSERVABLES = frozenset({"r_eps", "dos", "quasiparticle"})
#: Observables that only some models have (the chain's sites, the dot's orbitals).
OBSERVABLE_MODELS = {"entanglement": MANY_BODY_CHAINS, "quasiparticle": ("dot",)}


def needs_vectors(observables: dict[str, Any]) -> bool:
    """Whether a spectrum task with these observables needs eigenvectors."""
    return bool(VECTOR_OBSERVABLES & set(observables["names"]))


def solver_method(solver: dict[str, Any], n: int, observables: dict[str, Any]) -> str:
    """The method a spectrum task of dimension ``n`` runs.

    ``method = "auto"`` takes the first of :func:`mbl.solvers.plan.auto_candidates`: dense up
    to ``dense_max``, when the DOS needs every level or when 2k >= N; else shift-invert where
    a backend factorizes N; else POLFED. The rule depends on the installation only, never on
    the free memory of the moment, so every task of a study resolves alike; the memory plan
    then refuses a study whose tasks will not fit, naming the methods that would
    (:func:`mbl.study.estimate.check_memory`).
    """
    if solver["method"] != "auto":
        return solver["method"]
    return auto_candidates(n, k=solver["k"], dense_max=solver["dense_max"],
                           full_spectrum="dos" in observables["names"])[0]


def dynamics_method(solver: dict[str, Any], n: int) -> str:
    """The method a dynamics task of dimension ``n`` runs: "auto" is dense propagation up to
    ``dense_max``, Krylov above."""
    if solver["method"] != "auto":
        return solver["method"]
    return "dense" if n <= solver["dense_max"] else "krylov"
