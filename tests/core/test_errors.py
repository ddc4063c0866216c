"""Tests of the exception hierarchy (:mod:`mbl.errors`, :mod:`mbl._core.errors`)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import mbl
from mbl import errors
from mbl._core import errors as core_errors


def all_subclasses(cls):
    return {cls} | {s for c in cls.__subclasses__() for s in all_subclasses(c)}


def test_public_module_reexports_every_core_error():
    core = {obj for _, obj in inspect.getmembers(core_errors, inspect.isclass)
            if issubclass(obj, core_errors.MBLError)}
    public = {getattr(errors, name) for name in errors.__all__}
    assert core <= public


@pytest.mark.parametrize(
    "cls", sorted(all_subclasses(errors.InputError) | {errors.ConfigError, errors.MemoryPlanError,
                                                        errors.StoreMismatchError},
                  key=lambda c: c.__name__))
def test_every_input_error_is_a_value_error(cls):
    assert issubclass(cls, ValueError) and issubclass(cls, errors.MBLError)
    with pytest.raises(ValueError, match="why"):
        raise cls("why")


def test_convergence_error_is_a_runtime_error():
    assert issubclass(errors.ConvergenceError, RuntimeError)
    assert issubclass(errors.ConvergenceError, errors.MBLError)
    assert not issubclass(errors.ConvergenceError, ValueError)


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: mbl.lattice.Hypercubic((2, 2, 2, 2)), ["d = 1, 2 or 3", "(2, 2, 2, 2)"]),
        (lambda: mbl.lattice.Hypercubic((2,), "periodic"), ["periodic", "bc='open'"]),
        (lambda: mbl.models.Anderson(shape=(4,), W=-2.0), ["W", "-2.0"]),
        (lambda: mbl.models.Anderson(shape=(4,), W=1.0).hamiltonian(onsite=np.zeros(3)),
         ["onsite has 3 entries", "4 sites"]),
        (lambda: mbl.solvers.solve(np.eye(3), method="magic"),
         ["'magic'", "dense", "shift_invert"]),
        (lambda: mbl.observables.window(np.arange(5.0), 2.0, 2.0), ["fraction", "2.0"]),
    ],
)
def test_messages_name_the_problem(call, names):
    with pytest.raises(errors.InputError) as info:
        call()
    for name in names:
        assert name in str(info.value)
