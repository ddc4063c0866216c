"""The models a study can name in its ``[model]`` section, with their parameter schemas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mbl._core.errors import InputError
from mbl.basis import SpinBasis
from mbl.models import Anderson, AubryAndre, SpinlessFermions, XXZChain
from mbl.models.baa_cells import BAACells
from mbl.models.dot import MAX_ED_ORBITALS, QuantumDot


class AndersonParams(BaseModel):
    """``[model] name = "anderson"``: one particle on an L^d hypercubic lattice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["anderson"]
    d: int = Field(3, ge=1, le=3, description="spatial dimension (1, 2 or 3)")
    L: int = Field(ge=2, description="linear size (sites per axis)")
    W: float = Field(ge=0, allow_inf_nan=False, description="disorder strength")
    bc: Literal["open", "periodic"] = Field("periodic", description="boundary conditions")
    disorder: Literal["box", "gaussian", "cauchy"] = Field(
        "box", description="distribution of the on-site energies")
    t: float = Field(1.0, allow_inf_nan=False, description="hopping amplitude")

    def build(self) -> Anderson:
        """The model specification of this point."""
        return Anderson(shape=(self.L,) * self.d, W=self.W, bc=self.bc, t=self.t,
                        disorder=self.disorder)

    def dimension(self) -> int:
        """Hilbert-space dimension N."""
        return self.L**self.d

    def hamiltonian(self, rng):
        """Sparse Hamiltonian of one realization drawn from ``rng``."""
        return self.build().hamiltonian(rng=rng)


class AndersonBarParams(BaseModel):
    """``[model] name = "anderson_bar"``: a bar of cross-section M^(d-1) for transfer matrices."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["anderson_bar"]
    d: int = Field(3, ge=1, le=3, description="spatial dimension (1, 2 or 3)")
    M: int = Field(1, ge=1, description="linear cross-section (1 in d = 1)")
    W: float = Field(gt=0, allow_inf_nan=False, description="disorder strength")
    E: float = Field(0.0, allow_inf_nan=False, description="energy")
    bc: Literal["open", "periodic"] = Field("periodic", description="boundary conditions")
    disorder: Literal["box", "gaussian", "cauchy"] = Field(
        "box", description="distribution of the on-site energies")

    def build(self) -> AndersonBarParams:
        if self.d == 1 and self.M != 1:
            raise InputError(f"M = {self.M}: a chain (d = 1) has cross-section M = 1")
        return self

    def dimension(self) -> int:
        return self.M ** (self.d - 1)


class _ChainParams(BaseModel):
    """Shared keys of the spin-chain models (S^z sector of ``sz``; fields h_i ~ U[-W, W])."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    L: int = Field(ge=2, le=30, description="number of sites")
    W: float = Field(ge=0, allow_inf_nan=False, description="disorder strength")
    J: float = Field(1.0, allow_inf_nan=False, description="exchange coupling")
    Delta: float = Field(1.0, allow_inf_nan=False, description="anisotropy")
    bc: Literal["open", "periodic"] = Field("periodic", description="boundary conditions")
    sz: float = Field(0.0, description="total S^z of the sector (n_up - L/2)")

    def basis(self) -> SpinBasis:
        """The S^z sector the Hamiltonian acts on."""
        return SpinBasis.from_sz(self.L, self.sz)

    def dimension(self) -> int:
        return self.basis().dim

    def hamiltonian(self, rng):
        return self.build().hamiltonian(sz=self.sz, rng=rng)


class XXZParams(_ChainParams):
    """``[model] name = "xxz"``: the random-field XXZ chain (docs/conventions.md §2)."""

    name: Literal["xxz"]

    def build(self) -> XXZChain:
        self.basis()  # validates the sector (e.g. odd L with sz = 0)
        return XXZChain(L=self.L, J=self.J, Delta=self.Delta, W=self.W, bc=self.bc)


class AubryAndreParams(_ChainParams):
    """``[model] name = "aubry_andre"``: the XXZ chain in h_i = W cos(2 pi beta i + phi)."""

    name: Literal["aubry_andre"]

    def build(self) -> AubryAndre:
        self.basis()
        return AubryAndre(L=self.L, J=self.J, Delta=self.Delta, W=self.W, bc=self.bc)


class FermionParams(BaseModel):
    """``[model] name = "fermions"``: spinless fermions (hopping t, interaction V, h ~ U[-W, W])."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["fermions"]
    L: int = Field(ge=2, le=30, description="number of sites")
    W: float = Field(ge=0, allow_inf_nan=False, description="disorder strength")
    t: float = Field(0.5, allow_inf_nan=False, description="hopping")
    V: float = Field(1.0, allow_inf_nan=False, description="nearest-neighbour interaction")
    n: int | None = Field(None, ge=0, description="particle number (default L/2)")
    bc: Literal["open", "periodic", "antiperiodic"] = Field("periodic",
                                                           description="boundary conditions")

    def _n(self) -> int:
        return self.L // 2 if self.n is None else self.n

    def build(self) -> SpinlessFermions:
        self.basis()
        return SpinlessFermions(L=self.L, t=self.t, V=self.V, W=self.W, bc=self.bc)

    def basis(self) -> SpinBasis:
        return SpinBasis(self.L, self._n())

    def dimension(self) -> int:
        return self.basis().dim

    def hamiltonian(self, rng):
        return self.build().hamiltonian(n=self._n(), rng=rng)


class BAACellsParams(BaseModel):
    """``[model] name = "baa_cells"``: BAA lattice of ``n_cells**d`` cells
    (docs/theory/baa-model.md §1.2)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["baa_cells"]
    n_cells: int = Field(ge=1, description="cells per axis")
    d: int = Field(1, ge=1, le=3, description="dimension of the lattice of cells")
    levels: int = Field(ge=2, description="levels per cell")
    I: float = Field(allow_inf_nan=False, description="tunnelling (units of delta)")  # noqa: E741
    lam: float = Field(ge=0, allow_inf_nan=False, description="interaction lambda")
    M: float = Field(gt=0, allow_inf_nan=False, description="interaction window (units of delta)")
    delta: float = Field(1.0, gt=0, allow_inf_nan=False, description="cell level spacing")
    bc: Literal["open", "periodic"] = Field("open", description="boundary conditions")
    tunnel_signs: bool = Field(False, description="random signs of the tunnelling")
    n: int | None = Field(None, ge=0, description="particle number (default half filling)")

    def build(self) -> BAACells:
        model = BAACells(shape=(self.n_cells,) * self.d, levels=self.levels, I=self.I,
                         lam=self.lam, M=self.M, delta=self.delta, bc=self.bc,
                         tunnel_signs=self.tunnel_signs)
        model.basis(self.n)  # refuses sizes beyond exact diagonalization, odd half filling
        return model

    def basis(self) -> SpinBasis:
        """The particle-number sector (default half filling)."""
        return self.build().basis(self.n)

    def dimension(self) -> int:
        return self.basis().dim

    def hamiltonian(self, rng):
        return self.build().hamiltonian(n=self.n, rng=rng)


class DotParams(BaseModel):
    """``[model] name = "dot"``: the AGKL quantum dot (docs/theory/agkl.md) in the sector of ``n``
    particles (default ``n_particles + 1``, the sector of the quasiparticle c†_alpha|FS>)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["dot"]
    n_orbitals: int = Field(ge=2, le=MAX_ED_ORBITALS, description="number of orbitals N")
    n_particles: int = Field(ge=0, description="particles in the Fermi sea")
    g: float = Field(gt=0, description="dimensionless conductance (interaction Delta/g)")
    Delta: float = Field(1.0, gt=0, allow_inf_nan=False, description="level spacing")
    window: float | None = Field(None, ge=0, description="Thouless window (default g Delta)")
    diagonal: bool = Field(False, description="keep the diagonal (Hartree-Fock) elements")
    n: int | None = Field(None, ge=0, description="sector (default n_particles + 1)")

    def build(self) -> QuantumDot:
        model = QuantumDot(n_orbitals=self.n_orbitals, n_particles=self.n_particles, g=self.g,
                           Delta=self.Delta, window=self.window, diagonal=self.diagonal)
        self.basis()
        return model

    def sector(self) -> int:
        return self.n_particles + 1 if self.n is None else self.n

    def basis(self) -> SpinBasis:
        return SpinBasis(self.n_orbitals, self.sector())

    def dimension(self) -> int:
        return self.basis().dim

    def realize(self, rng):
        """(H, info) of one realization: info holds what the ``quasiparticle`` observable needs
        (orbital energies, Fermi level, particles in the Fermi sea, the basis states)."""
        model = self.build()
        disorder = model.draw_disorder(rng)
        H = model.hamiltonian(n=self.sector(), disorder=disorder)
        info = {"levels": disorder.levels, "fermi_level": model.fermi_level(disorder),
                "n_particles": self.n_particles, "states": self.basis().states}
        return H, info

    def hamiltonian(self, rng):
        return self.realize(rng)[0]


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its parameter schema."""

    schema: type[BaseModel]


MODELS: dict[str, ModelEntry] = {
    "anderson": ModelEntry(AndersonParams),
    "anderson_bar": ModelEntry(AndersonBarParams),
    "xxz": ModelEntry(XXZParams),
    "aubry_andre": ModelEntry(AubryAndreParams),
    "fermions": ModelEntry(FermionParams),
    "baa_cells": ModelEntry(BAACellsParams),
    "dot": ModelEntry(DotParams),
}


def model_params(values: dict[str, Any]) -> BaseModel:
    """Validate one point's model values (raises pydantic.ValidationError)."""
    return MODELS[values["name"]].schema.model_validate(values)
