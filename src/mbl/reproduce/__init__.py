"""Published results reproduced end to end: study, analysis, figure, table (docs/cli.md §3)."""

from __future__ import annotations

from mbl._core.errors import InputError
from mbl.reproduce import (
    agkl_threshold,
    anderson_1d_lyapunov,
    anderson_2d_scaling,
    anderson_3d,
    anderson_3d_mobility_edge,
    anderson_3d_tmm,
    anderson_lowd,
    baa_cells_edge,
    baa_gamma_distribution,
    baa_phase_diagram,
    baa_tc,
    baa_transport,
    bethe_critical,
    bethe_gamma_distribution,
    dot_fock,
    entanglement_growth,
    imbalance_aubry_andre,
    vrh_mott,
    xxz_crossing_drift,
    xxz_levels,
    xxz_mid_spectrum,
    xxz_mobility_edge,
)
from mbl.reproduce.base import Report, Reproduction, Row

#: quick_seconds: the wall time of each quick mode in one ``mbl reproduce --all --quick
#: --workers 2`` run (commit d248ba6, 57 min in all, on a 2-core machine shared with a test
#: suite: upper figures).
REPRODUCTIONS: dict[str, Reproduction] = {
    anderson_1d_lyapunov.NAME: Reproduction(
        anderson_1d_lyapunov.NAME, "1D Lyapunov exponent across the band vs the Born formula",
        anderson_1d_lyapunov.run, quick_seconds=4),
    anderson_2d_scaling.NAME: Reproduction(
        anderson_2d_scaling.NAME, "2D: one-parameter scaling of Lambda(M, W), xi(W), all localized",
        anderson_2d_scaling.run, quick_seconds=16),
    anderson_3d_mobility_edge.NAME: Reproduction(
        anderson_3d_mobility_edge.NAME, "3D mobility edge E_c(W) from transfer matrices",
        anderson_3d_mobility_edge.run, quick_seconds=43),
    anderson_3d.NAME: Reproduction(
        anderson_3d.NAME, "3D Anderson transition from the crossing of <r>(W) at E = 0",
        anderson_3d.run, quick_seconds=450),
    anderson_3d_tmm.NAME: Reproduction(
        anderson_3d_tmm.NAME, "3D Anderson W_c and nu: transfer matrices, Slevin-Ohtsuki fit",
        anderson_3d_tmm.run, quick_seconds=280),
    anderson_lowd.NAME: Reproduction(
        anderson_lowd.NAME, "all states localized in d = 1, 2: saturation of the PR",
        anderson_lowd.run, quick_seconds=60),
    entanglement_growth.NAME: Reproduction(
        entanglement_growth.NAME, "S(t) after a quench: plateau at Delta = 0, ln t growth at 0.2",
        entanglement_growth.run, quick_seconds=110),
    imbalance_aubry_andre.NAME: Reproduction(
        imbalance_aubry_andre.NAME,
        "interacting Aubry-Andre chain: late-time imbalance vs W, free fermions exact at Delta 0",
        imbalance_aubry_andre.run, quick_seconds=220),
    xxz_levels.NAME: Reproduction(
        xxz_levels.NAME, "MBL crossover of the random-field XXZ chain: <r> and S at eps = 0.5",
        xxz_levels.run, quick_seconds=740),
    xxz_mid_spectrum.NAME: Reproduction(
        xxz_mid_spectrum.NAME, "XXZ chain at eps = 0.5 by shift-invert to L = 16 (quick), 20",
        xxz_mid_spectrum.run, quick_seconds=580),
    xxz_crossing_drift.NAME: Reproduction(
        xxz_crossing_drift.NAME,
        "XXZ chain: crossings W*(L, L+2) at eps = 0.5 and their drift dW*/dL",
        # timed apart from the --all run: 6 min 39 s on the idle machine (eb7a341)
        xxz_crossing_drift.run, quick_seconds=400),
    xxz_mobility_edge.NAME: Reproduction(
        xxz_mobility_edge.NAME, "many-body mobility edge of the XXZ chain: <r>(eps, W)",
        xxz_mobility_edge.run, quick_seconds=370),
    baa_cells_edge.NAME: Reproduction(
        baa_cells_edge.NAME,
        "many-body mobility edge of the BAA lattice of cells: <r>(eps, lambda)",
        baa_cells_edge.run, quick_seconds=130),
    dot_fock.NAME: Reproduction(
        dot_fock.NAME, "AGKL dot: quasiparticle Fock-space IPR vs eps, threshold vs (g/ln g)^1/2",
        dot_fock.run, quick_seconds=70),
    bethe_critical.NAME: Reproduction(
        bethe_critical.NAME, "Bethe-lattice W_c(K) from lambda(1/2) = 1 vs AAT closed forms",
        bethe_critical.run, quick_seconds=44),
    bethe_gamma_distribution.NAME: Reproduction(
        bethe_gamma_distribution.NAME,
        "Bethe lattice P(Gamma) as eta -> 0: finite in the metal, eta^1/2 Gamma^-3/2 insulator",
        bethe_gamma_distribution.run, quick_seconds=6),
    agkl_threshold.NAME: Reproduction(
        agkl_threshold.NAME, "AGKL Fock-space tree: eps_c(g) and eps_c^2 ln g / g -> const",
        agkl_threshold.run, quick_seconds=15),
    baa_transport.NAME: Reproduction(
        baa_transport.NAME, baa_transport.DESCRIPTION, baa_transport.run, quick_seconds=140),
    vrh_mott.NAME: Reproduction(vrh_mott.NAME, vrh_mott.DESCRIPTION, vrh_mott.run,
                                quick_seconds=100),
    baa_gamma_distribution.NAME: Reproduction(
        baa_gamma_distribution.NAME, baa_gamma_distribution.DESCRIPTION,
        baa_gamma_distribution.run, quick_seconds=37),
    baa_tc.NAME: Reproduction(baa_tc.NAME, baa_tc.DESCRIPTION, baa_tc.run, quick_seconds=8),
    baa_phase_diagram.NAME: Reproduction(
        baa_phase_diagram.NAME, baa_phase_diagram.DESCRIPTION, baa_phase_diagram.run,
        quick_seconds=24),
}


def get(name: str) -> Reproduction:
    """The reproduction called ``name`` (an :class:`InputError` lists the known ones)."""
    try:
        return REPRODUCTIONS[name]
    except KeyError:
        raise InputError(f"unknown reproduction {name!r}; known: {', '.join(REPRODUCTIONS)} "
                         "(run 'mbl reproduce' to list them)") from None


__all__ = ["REPRODUCTIONS", "Report", "Reproduction", "Row", "get"]
