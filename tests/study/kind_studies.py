"""One tiny study of every study kind, run once per test session (a few seconds in all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mbl.study.config import parse_config
from mbl.study.runner import run_study

#: name -> study sections: every kind, with every observable it has.
STUDIES: dict[str, dict[str, Any]] = {
    "spectrum": {
        "study": {"kind": "spectrum", "seed": 1, "samples": 2},
        "model": {"name": "xxz", "L": 6, "bc": "open"},
        "grid": {"W": [1.0, 4.0]},
        "solver": {"method": "dense"},
        "observables": {"names": ["gap_ratio", "ipr", "participation_ratio", "entanglement",
                                  "r_eps", "dos", "participation_entropy", "kl"],
                        "energy_window": 0.5, "eps_bins": 4},
    },
    "quasiparticle": {
        "study": {"kind": "spectrum", "seed": 1, "samples": 1},
        "model": {"name": "dot", "n_orbitals": 6, "n_particles": 3},
        "grid": {"g": [2.0, 4.0]},
        "solver": {"method": "dense"},
        "observables": {"names": ["quasiparticle"]},
    },
    "tmm": {
        "study": {"kind": "tmm", "seed": 1, "samples": 1},
        "model": {"name": "anderson_bar", "d": 2, "M": 3},
        "grid": {"W": [4.0, 8.0]},
        "solver": {"rel_error": 0.2},
    },
    "dynamics": {
        "study": {"kind": "dynamics", "seed": 1, "samples": 2},
        "model": {"name": "fermions", "L": 6, "bc": "open"},  # t = 0.5: energies in 2t
        "grid": {"W": [1.0, 5.0]},
        "solver": {"t_min": 0.1, "t_max": 10.0, "n_times": 4, "initial": "neel"},
        "observables": {"names": ["imbalance", "return_probability", "entanglement"]},
    },
}

_DONE: dict[str, Path] = {}


def kind_study(base: Path, name: str) -> Path:
    """The directory of study ``name`` run to completion under ``base`` (once per session)."""
    if name not in _DONE:
        directory = Path(base) / name
        run_study(parse_config(STUDIES[name]), directory)
        _DONE[name] = directory
    return _DONE[name]
