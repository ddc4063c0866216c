"""``anderson-2d-scaling``: one-parameter scaling in d = 2 — every state is localized.

Strips of width M (periodic transverse boundaries) at E = 0 with box disorder W: the reduced
localization length Lambda = xi_M / M decreases with M at every W (no scale-invariant point),
and all the curves Lambda(M) collapse onto one function of M / xi(W) (MacKinnon & Kramer,
Z. Phys. B 53, 1 (1983)). The collapse gives the 2D localization length xi(W), which grows
like exp(c / W^2) at weak disorder (ln xi linear in 1/W^2).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.plot import save_figure
from mbl.reproduce.bars import bar_studies
from mbl.reproduce.base import Report, Row, output_directory
from mbl.scaling.collapse import Collapse, one_parameter_collapse
from mbl.study.runner import Progress

NAME = "anderson-2d-scaling"
SEED = 19830101
SOURCE = "MacKinnon & Kramer, Z. Phys. B 53, 1 (1983): all states localized in 2D"
MODES = {
    True: dict(W=[5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0], sizes={4: 1e-2, 8: 1e-2, 16: 1e-2,
                                                                 32: 1e-2}),
    False: dict(W=[4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 15.0, 20.0],
                sizes={8: 3e-3, 16: 3e-3, 32: 3e-3, 64: 4e-3}),
}
WEAK = 8.0  # ln xi vs 1/W^2 is fitted for W <= WEAK


def _figure(data: xr.Dataset, col: Collapse, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.4), layout="tight")
    left, right = fig.subplots(1, 2)
    M = data["M"].values
    for i, W in enumerate(data["W"].values):
        lam = data["Lambda"].sel(W=W).values
        err = data["Lambda_error"].sel(W=W).values
        left.errorbar(M, lam, yerr=err, fmt="o-", ms=4, capsize=2, color=f"C{i % 10}",
                      label=f"W = {W:g}")
        xi = col.xi[np.searchsorted(col.W, W)]
        right.errorbar(M / xi, lam, yerr=err, fmt="o", ms=4, capsize=2, color=f"C{i % 10}")
    ratio = M[:, None] / col.xi[None, :]
    s = np.linspace(np.log(ratio.min()), np.log(ratio.max()), 200)
    right.plot(np.exp(s), np.exp(np.polynomial.polynomial.polyval(s, col.g)), "k-", lw=1,
               label="fitted scaling function")
    right.plot(np.exp(s), np.exp(-s), "k:", lw=1, label=r"localized limit $\xi/M$")
    left.set_xscale("log", base=2)
    left.set_yscale("log")
    left.set_xlabel("strip width $M$ (lattice spacings)")
    left.set_ylabel(r"$\Lambda = \xi_M / M$")
    left.set_title(r"2D Anderson model, $E = 0$: $\Lambda$ falls with $M$ at every $W$")
    left.legend(fontsize=7, ncol=2)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel(r"$M / \xi(W)$")
    right.set_ylabel(r"$\Lambda$")
    right.set_title(f"one-parameter collapse ($\\chi^2$/dof = {col.chi2:.0f}/{col.dof})")
    right.legend(fontsize=8, loc="lower left")
    inset = right.inset_axes([0.62, 0.6, 0.34, 0.34])
    inset.errorbar(1 / col.W**2, col.ln_xi, yerr=col.ln_xi_error, fmt="o", ms=3)
    inset.set_xlabel(r"$1/W^2$", fontsize=7)
    inset.set_ylabel(r"$\ln \xi$", fontsize=7)
    inset.tick_params(labelsize=6)
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
    return save_figure(fig, path)


def _weak_disorder_slope(col: Collapse) -> tuple[float, float]:
    """Slope c of ln xi = c / W^2 + const over W <= WEAK, with its standard error."""
    sel = col.W <= WEAK
    x, y = 1 / col.W[sel] ** 2, col.ln_xi[sel]
    w = 1 / np.maximum(col.ln_xi_error[sel], 1e-3) ** 2
    coef, cov = np.polyfit(x, y, 1, w=np.sqrt(w), cov="unscaled")
    return float(coef[0]), float(np.sqrt(cov[0, 0]))


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    data = bar_studies(mode["sizes"], {"W": mode["W"]}, base, d=2, seed=SEED,
                       model={"E": 0.0}, workers=workers, progress=progress)
    M, W = xr.broadcast(data["M"], data["W"])
    n_free = M.size - W["W"].size - 1  # data points beyond the shifts, one left for chi^2
    col = one_parameter_collapse(M.values, W.values, data["Lambda"].values,
                                 data["Lambda_error"].values, degree=max(1, min(4, n_free)))
    rows = []
    lam = data["Lambda"]
    for Wv in data["W"].values:  # d ln Lambda / d ln M between the two widest strips
        a, b = lam.sel(W=Wv).values[-2:]
        ea, eb = data["Lambda_error"].sel(W=Wv).values[-2:]
        Ms = data["M"].values[-2:]
        slope = np.log(b / a) / np.log(Ms[1] / Ms[0])
        rows.append(Row("dlnLambda_dlnM", float(slope),
                        float(np.hypot(ea / a, eb / b) / np.log(Ms[1] / Ms[0])), None,
                        f"{SOURCE} (negative: localized)",
                        params={"W": float(Wv), "M": [int(m) for m in Ms]}))
    for Wv, lx, le in zip(col.W, col.ln_xi, col.ln_xi_error, strict=True):
        rows.append(Row("xi", float(np.exp(lx)), float(np.exp(lx) * le) if le > 0 else None, None,
                        "one-parameter collapse, scale set by xi = M Lambda at the most "
                        "localized point", params={"W": float(Wv)}))
    if np.sum(col.W <= WEAK) >= 3:
        c, c_err = _weak_disorder_slope(col)
        rows.append(Row("c_weak", c, c_err, None, "ln xi = c / W^2 + const for W <= "
                        f"{WEAK:g} (the weak-disorder form; no reference value)",
                        params={"W": [float(col.W.min()), WEAK]}))
    fig = _figure(data, col, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
