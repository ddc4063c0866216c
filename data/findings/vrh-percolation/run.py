"""The Mott percolation constant beta_d from wrapping clusters, extrapolated in the box size.

python3 data/findings/vrh-percolation/run.py  ->  result.json beside this file (provenance,
thresholds per box, the extrapolation u(box) = u_c + a box^(-1/nu), beta_d = 2^d u_c^(d+1)).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from scipy.optimize import curve_fit

from mbl.study.provenance import provenance
from mbl.transport.percolation import mott_threshold

SEED = 19720101
RUNS = {2: dict(boxes=(10.0, 14.0, 20.0, 28.0, 40.0), samples=100, nu=4.0 / 3.0, u_max=1.9),
        3: dict(boxes=(7.0, 10.0, 14.0, 20.0, 28.0), samples=60, nu=0.8762, u_max=1.6)}
REFERENCE = {2: (13.8, 1.2), 3: (21.2, 1.2)}  # Shklovskii & Efros, ch. 9


def extrapolate(boxes, u, err, nu):
    f = lambda L, uc, a: uc + a * L ** (-1.0 / nu)  # noqa: E731
    p, cov = curve_fit(f, np.array(boxes), np.array(u), sigma=np.array(err),
                       absolute_sigma=True, p0=(u[-1], 0.0))
    chi2 = float(np.sum(((np.array(u) - f(np.array(boxes), *p)) / np.array(err)) ** 2))
    return float(p[0]), float(np.sqrt(cov[0, 0])), float(p[1]), chi2, len(boxes) - 2


def main() -> None:
    out = {"provenance": provenance(), "seed": SEED, "convention":
           "s_ij = 2 r_ij / xi + E_ij / T, E_ij = (|e_i| + |e_j| + |e_i - e_j|)/2; "
           "T_0 = beta_d / (nu xi^d), beta_d = 2^d u_c^(d+1)", "results": {}}
    rng = np.random.default_rng(SEED)
    for d, run in RUNS.items():
        t0 = time.perf_counter()
        r = mott_threshold(d, run["boxes"], run["samples"], rng=rng, u_max=run["u_max"])
        uc, uc_err, a, chi2, dof = extrapolate(r.boxes, r.u_mean, r.u_error, run["nu"])
        beta = r.beta(uc)
        beta_err = (d + 1) * beta * uc_err / uc
        ref, ref_err = REFERENCE[d]
        out["results"][str(d)] = {
            "boxes": r.boxes, "samples": r.samples, "u_mean": r.u_mean, "u_error": r.u_error,
            "beta_per_box": [r.beta(u) for u in r.u_mean], "nu": run["nu"], "u_max": run["u_max"],
            "u_c": uc, "u_c_error": uc_err, "finite_size_amplitude": a,
            "chi2": chi2, "dof": dof, "beta": beta, "beta_error": beta_err,
            "reference": ref, "reference_error": ref_err,
            "sigma_from_reference": (beta - ref) / float(np.hypot(beta_err, ref_err)),
            "seconds": time.perf_counter() - t0}
        per_box = ", ".join(f"{b:g}: {r.beta(u):.2f}"
                            for b, u in zip(r.boxes, r.u_mean, strict=True))
        print(f"d = {d}: beta = {beta:.3f} +- {beta_err:.3f} (chi2 {chi2:.1f}/{dof}), "
              f"Shklovskii-Efros {ref} +- {ref_err}; per box {per_box}")
    path = Path(__file__).with_name("result.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(path)


if __name__ == "__main__":
    main()
