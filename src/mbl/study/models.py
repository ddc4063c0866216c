"""The models a study can name in its ``[model]`` section, with their parameter schemas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mbl.models import Anderson


class AndersonParams(BaseModel):
    """``[model] name = "anderson"``: one particle on an L^d hypercubic lattice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["anderson"]
    d: int = Field(3, ge=1, le=3, description="spatial dimension (1, 2 or 3)")
    L: int = Field(ge=2, description="linear size (sites per axis)")
    W: float = Field(ge=0, allow_inf_nan=False, description="disorder strength")
    bc: Literal["open", "periodic"] = "periodic"
    disorder: Literal["box", "gaussian", "cauchy"] = "box"
    t: float = Field(1.0, allow_inf_nan=False, description="hopping amplitude")

    def build(self) -> Anderson:
        """The model specification of this point."""
        return Anderson(shape=(self.L,) * self.d, W=self.W, bc=self.bc, t=self.t,
                        disorder=self.disorder)

    def dimension(self) -> int:
        """Hilbert-space dimension N."""
        return self.L**self.d


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its parameter schema."""

    schema: type[BaseModel]


MODELS: dict[str, ModelEntry] = {"anderson": ModelEntry(AndersonParams)}


def model_params(values: dict[str, Any]) -> BaseModel:
    """Validate one point's model values (raises pydantic.ValidationError)."""
    return MODELS[values["name"]].schema.model_validate(values)
