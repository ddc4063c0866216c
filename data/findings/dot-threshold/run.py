"""The dot's threshold eps_c(g): its dependence on the dot's size, on the criterion, on the
one-body part of the interaction, and the AGKL tree at the same g.

python3 data/findings/dot-threshold/run.py  ->  result.json beside this file.

Three computations (docs/findings/dot-threshold.md):

1. Full exact diagonalization through the library (``QuantumDot.hamiltonian``, dense ``eigh``),
   the reproduction's own path, at n_orbitals = 10 and 12 (half filling), for the Fock-space
   IPR of c+_alpha|FS> per empty orbital.
2. The same model in an energy-truncated Fock space (all Fock states of the n+1 sector whose
   unperturbed excitation energy is <= E_CUT above the free n+1 ground state), built here
   independently of the library and checked against it element by element, for dots of 12 to
   24 orbitals; with the one-particle moves (the induced one-body terms, r.m.s.
   sqrt(spectators) Delta/g) kept, or dropped (AGKL's graph: two-particle moves only); and the
   IPR of the free Fermi sea itself in the n sector (its dressing, the same for every alpha).
3. The AGKL tree (``mbl.cavity.agkl_tree``, c_K = c_W = 1, lambda(1/2) = 1) at the same g.

Thresholds: first eps where the sample mean of IPR (the reproduction's criterion), or the
typical IPR exp<ln IPR>, or <IPR> / <IPR of the Fermi sea> falls below 1/2; errors are the
reproduction's bootstrap (``mbl.reproduce.dot_fock.threshold_row``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small dense eigh; before numpy loads

import numpy as np  # noqa: E402

from mbl.basis import SpinBasis
from mbl.models.dot import QuantumDot, pair_indices
from mbl.observables.spectral import fermi_sea_plus_one
from mbl.reproduce.dot_fock import threshold_row
from mbl.study.provenance import provenance

SEED = 20260417
G = (8.0, 12.0, 16.0, 24.0)
#: n_orbitals -> (samples, E_cut): E_cut = inf is the full sector (exact diagonalization)
DOTS = {12: (30, math.inf), 20: (24, 14.0)}
MARGIN = 6.0     # with a cut, QPs are followed up to eps_alpha - eps_n <= E_cut - MARGIN
N_BOOT = 400
TREE_POOL = 10_000


def bits(states: np.ndarray, n_orbitals: int) -> np.ndarray:
    """Occupations (state, orbital) as 0/1."""
    return ((states[:, None] >> np.arange(n_orbitals)) & 1).astype(np.int8)


def truncated_states(levels: np.ndarray, n: int, e_cut: float) -> np.ndarray:
    """Fock states of n particles with sum eps <= (lowest possible) + e_cut, ascending."""
    N = levels.size
    states = SpinBasis(N, n, plan="matrix-free").states
    e0 = bits(states, N) @ levels
    return states[e0 <= levels[:n].sum() + e_cut + 1e-12]


def jw_sign(state: np.ndarray, orbital: np.ndarray) -> np.ndarray:
    """(-1)^(number of occupied orbitals below ``orbital``)."""
    below = state & ((np.int64(1) << orbital) - 1)
    return 1 - 2 * (np.bitwise_count(below) & 1).astype(np.int64)


def connections(levels: np.ndarray, states: np.ndarray) -> dict:
    """Every nonzero element of the dot's H on the given Fock states (any couplings V), in the
    library's convention sum_{a,b} V_ab c+_alpha c+_beta c_delta c_gamma, a = (alpha<beta),
    b = (gamma<delta); written independently of mbl.operators. Returns rows, columns, the
    pair indices (a, b) and Jordan-Wigner signs, and whether the two states differ by two
    particles (else by one: a move with a spectator, summed over the spectators)."""
    N = levels.size
    pa, pb = (x.astype(np.int64) for x in pair_indices(N))
    pmask = (np.int64(1) << pa) | (np.int64(1) << pb)
    M = states.size
    out = {k: [] for k in ("row", "col", "a", "b", "sign")}
    for i, s in enumerate(states):
        bsel = np.flatnonzero((pmask & s) == pmask)            # pairs b inside s
        rest = s & ~pmask[bsel]                                # s with b removed
        ib, aa = np.nonzero((rest[:, None] & pmask[None, :]) == 0)  # pairs a free in rest
        bb = bsel[ib]
        t = rest[ib] | pmask[aa]
        j = np.minimum(np.searchsorted(states, t), M - 1)
        keep = (t != s) & (states[j] == t)
        bb, aa, t, j = bb[keep], aa[keep], t[keep], j[keep]
        s0 = np.full(t.size, s, dtype=np.int64)
        g_, d_, b_, a_ = pa[bb], pb[bb], pb[aa], pa[aa]
        sign = jw_sign(s0, g_)
        s1 = s0 & ~(np.int64(1) << g_)
        sign *= jw_sign(s1, d_)
        s2 = s1 & ~(np.int64(1) << d_)
        sign *= jw_sign(s2, b_)
        sign *= jw_sign(s2 | (np.int64(1) << b_), a_)
        for k, v in (("row", j), ("col", np.full(j.size, i)), ("a", aa), ("b", bb),
                     ("sign", sign)):
            out[k].append(v)
    c = {k: np.concatenate(v) for k, v in out.items()}
    c["two"] = np.bitwise_count(states[c["row"]] ^ states[c["col"]]) == 4
    c["diag"] = bits(states, N) @ levels
    return c


def hamiltonian(c: dict, V: np.ndarray, one_body: bool = True) -> np.ndarray:
    """Dense H from :func:`connections`; ``one_body=False`` drops the elements between states
    that differ by one particle (AGKL's graph: two-particle moves only)."""
    M = c["diag"].size
    H = np.diag(c["diag"])
    sel = slice(None) if one_body else c["two"]
    np.add.at(H, (c["row"][sel], c["col"][sel]), c["sign"][sel] * V[c["a"][sel], c["b"][sel]])
    assert H.shape == (M, M)
    return H


def validate(rng: np.random.Generator) -> dict:
    """max |H_here - H_library| over all elements: a full sector of a 9-orbital dot without a
    window, and the n+1 sector of the 12-orbital dot at g = 8 (the reproduction's)."""
    out = {}
    for N, n, g, window in ((9, 4, 3.0, math.inf), (12, 6, 8.0, None)):
        dot = QuantumDot(N, n, g, window=window)
        d = dot.draw_disorder(rng)
        H_lib = dot.hamiltonian(n=n + 1, disorder=d).toarray()
        states = SpinBasis(N, n + 1).states
        H = hamiltonian(connections(d.levels, states), dot.pair_coupling(d))
        out[f"N={N}, g={g:g}"] = float(np.max(np.abs(H - H_lib)))
    return out


def ipr_of(H: np.ndarray, states: np.ndarray, fock: list[int]) -> np.ndarray:
    """Fock-space IPR sum_n |<n|f>|^4 of each Fock state f on the eigenstates of H."""
    _, v = np.linalg.eigh(H)
    w = v[np.searchsorted(states, fock), :] ** 2
    return np.sum(w * w, axis=1)


def sample_dot(N: int, samples: int, e_cut: float, rng: np.random.Generator) -> dict:
    """Per sample and g: eps_alpha - eps_F and the IPR of c+_alpha|FS> (the model, and with
    the one-particle moves dropped), and the IPR of |FS> itself in the n sector."""
    n = N // 2
    keys = ("eps", "ipr", "ipr_two_body", "ipr_vacuum")
    out = {g: {k: [] for k in keys} for g in G}
    sizes, width = [], N - n
    for _ in range(samples):
        d = QuantumDot(N, n, 1.0).draw_disorder(rng)
        lv = d.levels
        eF = QuantumDot(N, n, 1.0).fermi_level(d)
        s1, s0 = truncated_states(lv, n + 1, e_cut), truncated_states(lv, n, e_cut)
        c1, c0 = connections(lv, s1), connections(lv, s0)
        sizes.append([int(s1.size), int(s0.size)])
        alphas = [a for a in range(n, N) if lv[a] - lv[n] <= e_cut - MARGIN]
        width = min(width, len(alphas))
        qp = [fermi_sea_plus_one(N, n, a) for a in alphas]
        for g in G:
            V = QuantumDot(N, n, g).pair_coupling(d)
            r = out[g]
            r["eps"].append(lv[alphas] - eF)
            r["ipr"].append(ipr_of(hamiltonian(c1, V), s1, qp))
            r["ipr_two_body"].append(ipr_of(hamiltonian(c1, V, one_body=False), s1, qp))
            r["ipr_vacuum"].append(float(ipr_of(hamiltonian(c0, V), s0, [(1 << n) - 1])[0]))
    res = {g: {k: np.array(v) if k == "ipr_vacuum" else np.array([x[:width] for x in v])
               for k, v in out[g].items()} for g in G}
    return res, np.array(sizes)


def crossing(g: float, eps: np.ndarray, y: np.ndarray, rng: np.random.Generator,
             level: float = 0.5) -> dict:
    r = threshold_row(g, eps, y, rng, n_boot=N_BOOT, level=level)
    ok = math.isfinite(r.value)
    return {"value": r.value if ok else None, "error": r.error,
            "interval": list(r.interval) if r.interval else None,
            "note": r.source.split("; ", 1)[1] if "; " in r.source else ""}


def analyse(g: float, r: dict, rng: np.random.Generator) -> dict:
    eps = r["eps"]
    vac = float(np.mean(r["ipr_vacuum"]))
    return {
        "orbital_eps": np.mean(eps, 0).tolist(),
        "mean_ipr": np.mean(r["ipr"], 0).tolist(),
        "mean_ipr_two_body": np.mean(r["ipr_two_body"], 0).tolist(),
        "typical_ipr": np.exp(np.mean(np.log(r["ipr"]), 0)).tolist(),
        "mean_ipr_vacuum": vac,
        "mean_ipr_vacuum_error": float(np.std(r["ipr_vacuum"], ddof=1)
                                       / math.sqrt(r["ipr_vacuum"].size)),
        "threshold": {
            "mean_ipr": crossing(g, eps, r["ipr"], rng),
            "typical_ipr": crossing(g, eps, np.log(r["ipr"]), rng, level=math.log(0.5)),
            "mean_ipr_over_vacuum": crossing(g, eps, r["ipr"] / vac, rng),
            "mean_ipr_two_body": crossing(g, eps, r["ipr_two_body"], rng),
        },
    }


def power_fits(g: list[float], y: list[float], err: list[float]) -> dict:
    """eps_c = A g^p (free p), and one-parameter fits A g^(2/3), A (g/ln g)^(1/2)."""
    g, y, err = (np.array(v, dtype=float) for v in (g, y, err))
    lx, ly, le = np.log(g), np.log(y), err / y
    (p, lnA), cov = np.polyfit(lx, ly, 1, w=1 / le, cov="unscaled")
    chi2 = float(np.sum(((ly - (p * lx + lnA)) / le) ** 2))
    out = {"free": {"p": float(p), "p_error": float(math.sqrt(cov[0, 0])),
                    "A": float(math.exp(lnA)), "chi2": chi2, "dof": int(g.size - 2)}}
    for name, shape in (("g^(2/3)", g ** (2 / 3)), ("(g/ln g)^(1/2)", np.sqrt(g / np.log(g)))):
        w = 1 / err**2
        A = float(np.sum(w * y * shape) / np.sum(w * shape**2))
        out[name] = {"A": A, "A_error": float(1 / math.sqrt(np.sum(w * shape**2))),
                     "chi2": float(np.sum(((y - A * shape) / err) ** 2)), "dof": int(g.size - 1)}
    return out


def fits(per_g: dict) -> dict:
    """:func:`power_fits` of each criterion's thresholds (g with a crossing and an error)."""
    out = {}
    for crit in next(iter(per_g.values()))["threshold"]:
        ok = [(float(g), a["threshold"][crit]["value"], a["threshold"][crit]["error"])
              for g, a in per_g.items()
              if a["threshold"][crit]["value"] and a["threshold"][crit]["error"]]
        if len(ok) >= 3:
            out[crit] = {"g": [x[0] for x in ok], **power_fits(*zip(*ok, strict=True))}
            f = out[crit]
            print(f"fit {crit}: p = {f['free']['p']:.2f} +- {f['free']['p_error']:.2f} "
                  f"(chi2 {f['free']['chi2']:.1f}/{f['free']['dof']}); chi2 g^(2/3) "
                  f"{f['g^(2/3)']['chi2']:.1f}, (g/ln g)^(1/2) {f['(g/ln g)^(1/2)']['chi2']:.1f}")
    return out


def tree(rng_seed: int) -> dict:
    """The AGKL tree's eps_c (lambda(1/2) = 1, c_K = c_W = 1) at the dot's g."""
    from mbl.reproduce.agkl_threshold import _threshold
    from mbl.reproduce.bethe_common import streams
    out = {}
    for g, rng in zip(G, streams(rng_seed, len(G)), strict=True):
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                r = _threshold(g, {"pool": TREE_POOL, "blocks": 8}, rng)
        except (np.linalg.LinAlgError, ArithmeticError, ValueError) as exc:
            out[f"{g:g}"] = {"eps_c": None, "failed": f"{type(exc).__name__}: {exc}"}
            continue
        ok = math.isfinite(r.value)
        out[f"{g:g}"] = {"eps_c": r.value if ok else None, "error": r.error if ok else None,
                         "lambda_half": r.lam.tolist(), "eps_window": r.xs.tolist(),
                         "eps_c^2 ln g / g": r.value**2 * math.log(g) / g if ok else None,
                         "directly coupled K = eps_c^3": r.value**3 if ok else None}
    return out


def refit(path: Path) -> None:
    """``run.py --refit``: recompute the fits of an existing result.json (no diagonalization)."""
    out = json.loads(path.read_text())
    for dot in out["dots"].values():
        dot["fits"] = fits(dot["per_g"])
    path.write_text(json.dumps(out, indent=1) + "\n")


def main() -> None:
    if "--refit" in sys.argv:
        refit(Path(__file__).with_name("result.json"))
        return
    t_all = time.perf_counter()
    rng = np.random.default_rng(SEED)
    out = {"provenance": provenance(), "command": "python3 " + " ".join(sys.argv),
           "seed": SEED,
           "parameters": {"g": list(G), "dots": {str(N): {"samples": s, "E_cut": None
                                                          if math.isinf(c) else c}
                                                  for N, (s, c) in DOTS.items()},
                          "n_particles": "n_orbitals / 2", "margin": MARGIN,
                          "n_boot": N_BOOT, "tree_pool": TREE_POOL},
           "validation_max_abs_difference": validate(rng), "dots": {}}
    print("validation", out["validation_max_abs_difference"])
    for N, (samples, e_cut) in DOTS.items():
        t0 = time.perf_counter()
        res, sizes = sample_dot(N, samples, e_cut, rng)
        per_g = {f"{g:g}": analyse(g, res[g], rng) for g in G}
        out["dots"][str(N)] = {"n_particles": N // 2, "samples": samples,
                               "E_cut": None if math.isinf(e_cut) else e_cut,
                               "fock_states_mean": sizes.mean(0).tolist(),
                               "per_g": per_g, "seconds": time.perf_counter() - t0}
        for g, a in per_g.items():
            th = {k: v["value"] for k, v in a["threshold"].items()}
            print(f"N={N} g={g}: vacuum IPR {a['mean_ipr_vacuum']:.3f}; thresholds {th}")
        out["dots"][str(N)]["fits"] = fits(per_g)
    path = Path(__file__).with_name("result.json")
    path.write_text(json.dumps(out, indent=1) + "\n")  # the dots, before the tree
    t0 = time.perf_counter()
    out["tree"] = tree(SEED + 1)
    out["tree_seconds"] = time.perf_counter() - t0
    print("tree", out["tree"])
    out["seconds"] = time.perf_counter() - t_all
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(path)


if __name__ == "__main__":
    main()
