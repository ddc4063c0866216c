"""``bethe-critical``: the Anderson transition on the Bethe lattice from lambda(1/2) = 1.

lambda(1/2) is the largest eigenvalue of the discretized AAT transfer operator
(:func:`mbl.cavity.lambda_kernel`); W_c(K) is its root, with the error from independent
replicas and the discretization shift (docs/theory/bethe-lattice.md §6.5-§6.6). The figure shows
lambda(1/2)(W) at K = 2 next to AAT's closed forms (upper limit 2eK/W ln(W/2), large-K 4K/W ln(W/2))
and the weighted-pool estimate, whose finite-N bias the kernel avoids; and W_c against K.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mbl.cavity import (
    critical_disorder,
    lambda_kernel,
    lambda_pool,
    large_k_lambda,
    large_k_wc,
    upper_limit_lambda,
    upper_limit_wc,
)
from mbl.cavity.tree import bethe
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.bethe_common import Ticker, interval, streams
from mbl.study.runner import Progress

NAME = "bethe-critical"
SEED = 19730401
TM = (18.17, 0.01, "Tikhonov & Mirlin, PRB 99, 214202 (2019)")
AAT = "Abou-Chacra, Anderson & Thouless, J. Phys. C 6, 1734 (1973)"
MODES = {
    True: dict(K=(2, 3, 4), replicas={2: 3, 3: 2, 4: 2}, pool=300_000, sweeps=60,
               curve=(13.0, 15.5, 18.0, 21.0, 25.0, 29.0), curve_pool=300_000,
               pool_W=(15.5, 18.0, 21.0), weighted_pool=50_000),
    False: dict(K=(2, 3, 4), replicas={2: 8, 3: 4, 4: 4}, pool=1_500_000, sweeps=100,
                curve=(12.0, 14.0, 16.0, 18.0, 20.0, 22.0, 25.0, 29.0), curve_pool=500_000,
                pool_W=(15.0, 16.5, 18.0, 19.5, 21.0), weighted_pool=400_000),
}


def _curve(mode: dict, rngs: list[np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    """lambda(1/2) at K = 2 on the curve's W values: mean and s.e. of two replicas."""
    vals = np.array([[lambda_kernel(2, W, pool=mode["curve_pool"], sweeps=60, rng=r)
                      for r in rngs] for W in mode["curve"]])
    return vals.mean(axis=1), np.abs(vals[:, 0] - vals[:, 1]) / 2


def _figure(mode: dict, curve, pool_pts, wc: dict, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.6), layout="tight")
    left, right = fig.subplots(1, 2)
    W = np.array(mode["curve"])
    fine = np.linspace(W.min(), W.max(), 200)
    left.errorbar(W, curve[0], yerr=curve[1], fmt="o-", ms=4, capsize=3,
                  label=r"transfer operator (kernel), $K=2$")
    left.errorbar(mode["pool_W"], pool_pts[0], yerr=pool_pts[1], fmt="s", ms=4, capsize=3,
                  label=f"weighted pool, $N={mode['weighted_pool']:.0e}$ (biased low)")
    left.plot(fine, [upper_limit_lambda(w, 2) for w in fine], "--",
              label=r"upper limit $2eK/W\,\ln(W/2)$")
    left.plot(fine, [large_k_lambda(w, 2) for w in fine], ":",
              label=r"large $K$: $4K/W\,\ln(W/2)$")
    left.axhline(1.0, color="k", lw=0.8)
    left.axvline(wc[2].value, color="C0", lw=0.8,
                 label=rf"$W_c = {wc[2].value:.3f} \pm {wc[2].error:.3f}$ (this run)")
    left.axvline(TM[0], color="k", lw=0.8, ls="-.", label=f"$W_c = {TM[0]}$ (TM 2019)")
    left.set_xlabel("disorder $W$ (units of the hopping)")
    left.set_ylabel(r"growth rate $\lambda(\beta = 1/2)$")
    left.set_title(r"Bethe lattice $K=2$, $E=0$: localized where $\lambda(1/2)<1$")
    left.legend(fontsize=7)
    Ks = np.array(sorted(wc))
    right.errorbar(Ks, [wc[k].value for k in Ks], yerr=[wc[k].error for k in Ks], fmt="o",
                   capsize=3, label=r"$\lambda(1/2)=1$ (kernel)")
    kk = np.linspace(Ks.min(), Ks.max(), 50)
    right.plot(kk, [upper_limit_wc(k) for k in kk], "--", label="upper limit")
    right.plot(kk, [large_k_wc(k) for k in kk], ":", label=r"large $K$: $W=4K\ln(W/2)$")
    right.set_xticks(Ks)
    right.set_xlabel("branching number $K$")
    right.set_ylabel("critical disorder $W_c$ (units of the hopping)")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    """Run the reproduction (numba threads do the parallel work; ``workers`` is unused)."""
    start = time.perf_counter()
    mode = MODES[quick]
    rngs = streams(SEED, len(mode["K"]) + 3)
    ticker = Ticker(progress, len(mode["K"]) + 2)
    wc = {}
    for K, rng in zip(mode["K"], rngs, strict=False):
        wc[K] = critical_disorder(K, replicas=mode["replicas"][K], pool=mode["pool"],
                                  sweeps=mode["sweeps"], rng=rng)
        ticker.tick()
    curve = _curve(mode, rngs[-3:-1])
    ticker.tick()
    pools = [lambda_pool(bethe(2, W), [0.5], pool=mode["weighted_pool"], rng=rngs[-1])
             for W in mode["pool_W"]]
    pool_pts = (np.array([p.lam[0] for p in pools]), np.array([p.error[0] for p in pools]))
    ticker.tick()
    rows = []
    for K, res in wc.items():
        ref = TM if K == 2 else (None, None, "lambda(1/2) = 1; no published anchor here")
        rows.append(Row("W_c", res.value, res.error, ref[0], ref[2],
                        params={"K": K, "E": 0.0, "disorder": "box"},
                        interval=interval(res.value, res.error), reference_error=ref[1]))
    rows.append(Row("W_c_upper_limit", upper_limit_wc(2), None, 29.12,
                    "Anderson 1958; " + AAT, params={"K": 2}))
    rows.append(Row("W_c_large_K", large_k_wc(2), None, 17.23, AAT, params={"K": 2}))
    fig = _figure(mode, curve, pool_pts, wc,
                  output_directory(out, NAME, quick) / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
