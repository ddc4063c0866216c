"""The ``tmm`` task: the smallest Lyapunov exponent of one bar by transfer matrices."""

from __future__ import annotations

from typing import Any

import numpy as np

from mbl.transfer import lyapunov


def tmm_task(point: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Smallest positive Lyapunov exponent of one bar, to the target ``rel_error``."""
    bar, solver = point["model"], point["solver"]
    res = lyapunov(d=bar["d"], M=bar["M"], W=bar["W"], E=bar["E"], bc=bar["bc"],
                   disorder=bar["disorder"], rel_error=solver["rel_error"],
                   qr_every=solver["qr_every"], rng=rng)
    return {"gamma": res.gamma, "gamma_error": res.error, "Lambda": res.Lambda,
            "Lambda_error": res.Lambda_error, "slices": float(res.slices)}
