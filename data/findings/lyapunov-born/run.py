"""1D Lyapunov exponent: are the deviations from the Born formula its higher-order terms?

``anderson-1d-lyapunov`` (box disorder W = 1) finds gamma/gamma_Born = 1.01-1.02 across most
of the band, tens of standard errors away from 1, and gamma(0) 0.6% above the Kappus-Wegner
band-centre value W^2/105.045. Both formulas are the leading order in W^2. If the deviations
are their next order, (gamma/gamma_0 - 1) must scale like W^2: the same transfer-matrix
computation at W = 0.25, 0.5, 1 and 2 (gamma_0 = Born away from E = 0, Kappus-Wegner at E = 0)
shows it, and the ratio extrapolated to W -> 0 must be 1.

python3 data/findings/lyapunov-born/run.py  ->  result.json beside this file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from mbl.study.provenance import provenance
from mbl.transfer.lyapunov import lyapunov

SEED = 19790102
WS = (0.25, 0.5, 1.0, 2.0)
ES = (0.0, 0.5, 1.0, 1.5)
REL_ERROR = {0.25: 2e-3, 0.5: 1e-3, 1.0: 5e-4, 2.0: 5e-4}
KAPPUS_WEGNER = 1 / 105.045


def leading(W: float, E: float) -> float:
    """Leading order in W^2: Kappus-Wegner at the band centre, Born (Thouless) elsewhere."""
    return W**2 * KAPPUS_WEGNER if E == 0.0 else W**2 / (24 * (4 - E**2))


def main() -> None:
    t0 = time.perf_counter()
    rows = []
    for i, E in enumerate(ES):
        for j, W in enumerate(WS):
            r = lyapunov(d=1, W=W, E=E, rel_error=REL_ERROR[W], max_slices=4 * 10**9,
                         rng=np.random.default_rng([SEED, i, j]))
            g0 = leading(W, E)
            rows.append({"E": E, "W": W, "gamma": r.gamma, "error": r.error,
                         "slices": r.slices, "leading": g0, "ratio": r.gamma / g0,
                         "ratio_error": r.error / g0})
            print(f"E={E:4} W={W:5} gamma={r.gamma:.6e} +- {r.error:.1e} "
                  f"ratio={r.gamma / g0:.5f} +- {r.error / g0:.5f}", flush=True)
    fits = []
    for E in ES:  # ratio = 1 + a W^2 + b W^4, weighted, on W <= 1 (and with W = 2)
        sel = [r for r in rows if r["E"] == E]
        for wmax in (1.0, 2.0):
            use = [r for r in sel if r["W"] <= wmax]
            w2 = np.array([r["W"] ** 2 for r in use])
            y = np.array([r["ratio"] for r in use])
            s = np.array([r["ratio_error"] for r in use])
            A = np.vstack([np.ones_like(w2), w2, w2**2][: len(use) - 1]).T / s[:, None]
            coef, *_ = np.linalg.lstsq(A, y / s, rcond=None)
            cov = np.linalg.inv(A.T @ A)
            fits.append({"E": E, "W_max": wmax, "terms": A.shape[1],
                         "ratio_at_W0": float(coef[0]), "ratio_at_W0_error":
                         float(np.sqrt(cov[0, 0])), "W2_coefficient": float(coef[1]),
                         "W2_coefficient_error": float(np.sqrt(cov[1, 1]))})
            print(f"E={E}: W<= {wmax}: ratio(W->0) = {coef[0]:.5f} +- {np.sqrt(cov[0, 0]):.5f},"
                  f" W^2 coefficient {coef[1]:.4f} +- {np.sqrt(cov[1, 1]):.4f}", flush=True)
    out = {"provenance": provenance(), "seed": SEED, "rows": rows, "fits": fits,
           "seconds": time.perf_counter() - t0}
    path = Path(__file__).with_name("result.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(path)


if __name__ == "__main__":
    main()
