"""What every exported quantity means, declared once: long name, units, dimension, axis scale.

Each study kind's outputs (:data:`SPECTRUM`, :data:`TMM`, :data:`DYNAMICS`) are attached to
its :class:`mbl.study.kinds.Kind`; the export (:func:`mbl.study.export.to_dataset`) writes
``long_name``, ``units`` and ``axis_scale`` on every variable and coordinate from here, the
plot reads them back from the dataset, and docs/results.md shows :func:`variables_markdown`.

Units follow the model's own conventions (docs/conventions.md): energies are in the unit of
the model's couplings, which :data:`ENERGY_UNITS` names per model (``t`` for the Anderson
model, ``J`` for the spin chains, the level spacing for BAA cells and the dot); times are in
the inverse energy unit (hbar = 1); ``"1"`` is dimensionless. The placeholders ``{E}`` and
``1/{E}`` are resolved per study by :func:`energy_unit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

E = "{E}"  #: an energy, in the model's unit
PER_E = "1/{E}"  #: per unit energy; also a time (hbar = 1)


@dataclass(frozen=True)
class Variable:
    """One exported quantity.

    Attributes
    ----------
    long_name, units : str
        The netCDF ``long_name`` and ``units`` (``{E}`` is the model's energy unit).
    dim : str, optional
        Own dimension of an array output (None: one number per task).
    scale : str
        Preferred axis scale, ``"linear"`` or ``"log"``.
    observable : str, optional
        The ``[observables] names`` entry that produces it.
    primary : bool
        The variable that the observable's name stands for (``mbl plot --y NAME``).
    error : str, optional
        Name of the variable holding its standard error (``ancillary_variables``).
    """

    long_name: str
    units: str = "1"
    dim: str | None = None
    scale: str = "linear"
    observable: str | None = None
    primary: bool = False
    error: str | None = None


V = Variable

SPECTRUM: dict[str, Variable] = {
    "target_energy": V("target energy of the window", E),
    "e_min": V("lowest energy of the spectrum", E),
    "e_max": V("highest energy of the spectrum", E),
    "level_energy": V("energy of the level", E, dim="level"),
    "residual": V("largest eigenpair residual", E, scale="log"),
    "r": V("gap ratio r_n", dim="r_index", observable="gap_ratio"),
    "r_mean": V("mean gap ratio <r>", observable="gap_ratio", primary=True),
    "ipr": V("inverse participation ratio", dim="level", scale="log", observable="ipr"),
    "ipr_mean": V("mean inverse participation ratio", scale="log", observable="ipr",
                  primary=True),
    "pr": V("participation ratio", dim="level", scale="log", observable="participation_ratio"),
    "pr_mean": V("mean participation ratio", scale="log", observable="participation_ratio",
                 primary=True),
    "eps": V("energy density of the bin", dim="eps_bin", observable="r_eps"),
    "r_eps": V("mean gap ratio of the bin", dim="eps_bin", observable="r_eps", primary=True),
    "dos": V("density of states per level", PER_E, dim="eps_bin", observable="dos",
             primary=True),
    "dos_energy": V("energy of the bin centre", E, dim="eps_bin", observable="dos"),
    "entropy": V("entanglement entropy S_1 of the cut", dim="level", observable="entanglement"),
    "entropy_mean": V("mean entanglement entropy S_1", observable="entanglement", primary=True),
    "entropy2_mean": V("mean Renyi-2 entanglement entropy", observable="entanglement"),
    "s1_mean": V("mean participation entropy S_1", observable="participation_entropy",
                 primary=True),
    "s2_mean": V("mean participation entropy S_2", observable="participation_entropy"),
    "kl_mean": V("mean KL divergence of neighbours", observable="kl", primary=True),
    "qp_eps": V("orbital energy above E_F", "Delta", dim="orbital", observable="quasiparticle"),
    "qp_ipr": V("Fock-space IPR of c+_alpha|FS>", dim="orbital", scale="log",
                observable="quasiparticle", primary=True),
}
"""Outputs of the ``spectrum`` kind (entropies in nats; ``qp_eps`` in level spacings)."""

TMM: dict[str, Variable] = {
    "gamma": V("smallest Lyapunov exponent gamma", "1/a", error="gamma_error"),
    "gamma_error": V("standard error of gamma", "1/a"),
    "Lambda": V("reduced localization length Lambda", scale="log", error="Lambda_error"),
    "Lambda_error": V("standard error of Lambda"),
    "slices": V("transfer-matrix slices", scale="log"),
}
"""Outputs of the ``tmm`` kind (``a``: the lattice spacing; Lambda = 1/(gamma M))."""

DYNAMICS: dict[str, Variable] = {
    "times": V("time after the quench", PER_E, dim="time", scale="log"),
    "initial_state": V("initial basis state (bit i: site i up)"),
    "matvecs": V("Hamiltonian applications", scale="log"),
    "imbalance": V("imbalance I(t)", dim="time", observable="imbalance", primary=True),
    "return_probability": V("return probability", dim="time", scale="log",
                            observable="return_probability", primary=True),
    "entropy_t": V("entanglement entropy S(t) of the cut", dim="time",
                   observable="entanglement", primary=True),
}
"""Outputs of the ``dynamics`` kind (entropy in nats)."""


@dataclass(frozen=True)
class Dimension:
    """An own dimension of array outputs; ``values`` says where its coordinate comes from:
    ``"times"`` (the stored times), ``"eps_bins"`` (bin centres) or None (an index)."""

    long_name: str
    units: str = "1"
    scale: str = "linear"
    values: str | None = None


DIMENSIONS: dict[str, Dimension] = {
    "sample": Dimension("disorder realization"),
    "time": Dimension("time after the quench", PER_E, scale="log", values="times"),
    "eps_bin": Dimension("energy density (E - E_min)/(E_max - E_min)", values="eps_bins"),
    "level": Dimension("level in the window (ascending energy)"),
    "r_index": Dimension("gap ratio n (levels n to n+2 of the window)"),
    "orbital": Dimension("empty orbital above the Fermi sea"),
}

ENERGY_UNITS: dict[str, tuple[str, str | None]] = {
    "anderson": ("t", "t"), "anderson_bar": ("t", None), "xxz": ("J", "J"),
    "aubry_andre": ("J", "J"), "fermions": ("t", "t"), "baa_cells": ("delta", "delta"),
    "dot": ("Delta", "Delta"),
}
"""Per model: the energy unit's symbol and the ``[model]`` key that carries it (None: fixed
to 1). A value other than 1 scales the unit: fermions at the default t = 0.5 give ``2t``."""

PARAMETER_UNITS: dict[str, dict[str, str]] = {
    "anderson": {"W": E, "t": E},
    "anderson_bar": {"W": E, "E": E},
    "xxz": {"W": E, "J": E},
    "aubry_andre": {"W": E, "J": E},
    "fermions": {"W": E, "t": E, "V": E},
    "baa_cells": {"I": "delta", "M": "delta", "delta": E},
    "dot": {"Delta": E, "window": E},
    "solver": {"energy": E, "t_min": PER_E, "t_max": PER_E},
}
"""Units of the ``[model]`` (per model) and ``[solver]`` keys a grid can vary; the others are
dimensionless ("1": counts, ratios, labels)."""

COUPLINGS_UNIT = "unit of the [model] couplings"


def energy_unit(model: Mapping[str, Any], grid: Mapping[str, Any] | None = None) -> str:
    """The energy unit of a study's ``[model]`` section, given the grid's axes."""
    symbol, key = ENERGY_UNITS.get(model.get("name", ""), ("", None))
    if not symbol:
        return COUPLINGS_UNIT
    if key is None:
        return symbol
    if key in (grid or {}) or not isinstance(model.get(key), int | float) or model[key] == 0:
        return COUPLINGS_UNIT  # the unit changes along the grid
    value = float(model[key])
    name = symbol if value > 0 else f"|{symbol}|"
    return name if abs(value) == 1 else f"{1 / abs(value):g}{name}"


def resolve_units(units: str, energy: str) -> str:
    """``units`` with ``{E}`` replaced by ``energy`` (bracketed after ``1/`` when compound)."""
    if "{E}" not in units:
        return units
    simple = energy.isalpha() or (energy.startswith("|") and energy.endswith("|"))
    return units.replace("1/{E}", f"1/{energy}" if simple else f"1/({energy})") \
        .replace("{E}", energy)


def primary_variables(outputs: Mapping[str, Variable]) -> dict[str, str]:
    """Observable name -> the variable it stands for."""
    return {v.observable: name for name, v in outputs.items() if v.primary and v.observable}


def variables_table() -> list[dict[str, str]]:
    """One row per exported variable of every study kind, then one per own dimension (the
    rows of the exported-variables table that docs/results.md links); ``primary`` is
    ``"yes"`` for the variable that its observable's name stands for."""
    from mbl.study.kinds import KINDS

    rows = [{"kind": kind_name, "name": name, "long_name": v.long_name, "units": v.units,
             "dimension": v.dim or "", "scale": v.scale, "observable": v.observable or "",
             "primary": "yes" if v.primary else ""}
            for kind_name, kind in KINDS.items() for name, v in kind.outputs.items()]
    rows += [{"kind": "", "name": name, "long_name": d.long_name, "units": d.units,
              "dimension": name, "scale": d.scale, "observable": "", "primary": ""}
             for name, d in DIMENSIONS.items()]
    return rows


def variables_markdown() -> str:
    """The generated page of exported variables (linked from docs/results.md)."""
    units = ", ".join(f"{m} `{s}`" for m, (s, _) in ENERGY_UNITS.items())
    out = ["# Exported variables", "",
           "Generated from `mbl.study.variables`. A variable of `mbl export` and `mbl.load` "
           "has the dimensions (grid axes..., `sample`[, its own dimension]) and the "
           "`long_name`, `units` and `axis_scale` below. `{E}` is the model's energy unit "
           f"({units}; scaled when that coupling is not 1, e.g. `2t` for fermions at t = 0.5), "
           "`1/{E}` a time (hbar = 1) or a density per unit energy, `1` dimensionless, `a` "
           "the lattice spacing. The observable in **bold** is what `mbl plot --y OBSERVABLE` "
           "plots.", ""]
    rows = variables_table()
    for kind in dict.fromkeys(r["kind"] for r in rows):
        out += [f"## Kind `{kind}`" if kind else "## Own dimensions (coordinates)", "",
                "| variable | long_name | units | dimension | scale | observable |",
                "|---|---|---|---|---|---|"]
        for r in (r for r in rows if r["kind"] == kind):
            obs = f"**{r['observable']}**" if r["primary"] else r["observable"]
            cells = [f"`{r['name']}`", r["long_name"], f"`{r['units']}`",
                     f"`{r['dimension']}`" if r["dimension"] else "", r["scale"], obs]
            out.append("| " + " | ".join(_md(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md(cell: str) -> str:
    """A Markdown table cell: pipes escaped, and angle brackets outside code spans."""
    cell = cell.replace("|", "\\|")
    return cell if cell.startswith("`") else cell.replace("<", "\\<").replace(">", "\\>")
