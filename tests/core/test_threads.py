"""Thread pools inside solver calls: BLAS limited while numba kernels run, restored after, and a
user's own limit never overridden (mbl._core.threads)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from mbl._core import threads
from mbl.models import XXZChain
from mbl.solvers import polfed, solve, spectral_bounds

polfed_module = importlib.import_module("mbl.solvers.polfed")  # the name is the function's too


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def _share() -> int:
    return max(1, threads.free_cores() // threads._numba_threads())


@pytest.fixture
def unpinned(monkeypatch):
    """BLAS at its default thread counts (lifting the suite's one-thread limit), no variable."""
    for var in threads.BLAS_VARS:
        monkeypatch.delenv(var, raising=False)
    libs = threads.blas_defaults()
    if not libs:
        pytest.skip("no BLAS seen by threadpoolctl")
    was = [lib.num_threads for lib, _ in libs]
    for lib, default in libs:
        lib.set_num_threads(default)
    assert threads.pinned_by() is None
    yield
    for (lib, _), n in zip(libs, was, strict=True):
        lib.set_num_threads(n)


@pytest.fixture
def seen(monkeypatch):
    """Thread counts of the pools the first time one of POLFED's numba kernels runs (the
    index-only kernel for these chains, the CSR kernel for other matrices)."""
    record: list[dict] = []

    def spy_on(name):
        kernel = getattr(polfed_module, name)

        def spy(*args):
            if not record:
                record.append({"blas": _blas_threads(), "pinned_by": threads.pinned_by()})
            return kernel(*args)

        monkeypatch.setattr(polfed_module, name, spy)

    spy_on("chebyshev_step")
    spy_on("index_chebyshev_step")
    return record


def _chain(L=10):
    return XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(2)).tocsr()


def test_polfed_limits_blas_while_numba_runs_and_restores(unpinned, seen):
    H = _chain()
    before = _blas_threads()
    bounds = spectral_bounds(H)
    polfed(H, sigma=0.5 * sum(bounds), k=6, bounds=bounds)
    assert seen, "the numba kernel did not run"
    inside = seen[0]["blas"]
    assert inside == [min(n, _share()) for n in before]
    assert max(inside) * threads._numba_threads() <= max(threads.cores(),
                                                         threads._numba_threads())
    assert _blas_threads() == before  # restored
    assert threads._depth == 0 and not threads._saved


def test_solve_polfed_limits_and_restores(unpinned, seen):
    before = _blas_threads()
    solve(_chain(), method="polfed", k=6, energy_density=0.5)
    assert seen[0]["blas"] == [min(n, _share()) for n in before]
    assert _blas_threads() == before


def test_an_outer_limit_is_respected(unpinned, seen):
    H = _chain()
    limit = max(1, min(threads.blas_defaults()[0][1], 4) - 1)
    if limit >= threads.blas_defaults()[0][1]:
        pytest.skip("BLAS runs one thread by default: no outer limit to tell apart")
    with threadpool_limits(limit, user_api="blas"):
        under = _blas_threads()
        solve(H, method="polfed", k=6, energy_density=0.5)
        assert seen[0]["blas"] == under  # left as the user set it
        assert "limit in force" in seen[0]["pinned_by"]
        assert _blas_threads() == under
    assert threads.pinned_by() is None


def test_a_thread_variable_is_respected(unpinned, seen, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    before = _blas_threads()
    solve(_chain(), method="polfed", k=6, energy_density=0.5)
    assert seen[0]["blas"] == before
    assert seen[0]["pinned_by"] == "OPENBLAS_NUM_THREADS=2"


class _FakeBlas:
    internal_api = "fakeblas"

    def __init__(self, n: int) -> None:
        self.num_threads = n
        self.calls = 0

    def set_num_threads(self, n: int) -> None:
        self.num_threads = n
        self.calls += 1


@pytest.fixture
def fake(monkeypatch):
    """One fake BLAS of default 8 threads on 8 cores, numba at 2 threads."""
    for var in threads.BLAS_VARS:
        monkeypatch.delenv(var, raising=False)
    lib = _FakeBlas(8)
    monkeypatch.setattr(threads, "_libs", [(lib, 8)])
    monkeypatch.setattr(threads, "cores", lambda: 8)
    monkeypatch.setattr(threads, "_numba_threads", lambda: 2)
    monkeypatch.setattr(threads, "free_cores", lambda refresh=False: 8)
    return lib


def test_the_product_stays_within_the_cores(fake):
    with threads.solver_threads(numba=True):
        assert fake.num_threads == 4  # 8 cores // 2 numba threads
        with threads.solver_threads(numba=True):  # nested: nothing more
            assert fake.num_threads == 4
        assert fake.num_threads == 4
    assert fake.num_threads == 8 and fake.calls == 2


def test_blas_only_solvers_change_nothing_on_an_idle_machine(fake):
    with threads.solver_threads(numba=False):
        assert fake.num_threads == 8
    assert fake.calls == 0


def test_only_the_free_cores_are_used_beside_busy_processes(fake, monkeypatch):
    monkeypatch.setattr(threads, "free_cores", lambda refresh=False: 3)  # 5 cores busy
    with threads.solver_threads(numba=False):
        assert fake.num_threads == 3
    with threads.solver_threads(numba=True):
        assert fake.num_threads == 1  # 3 free // 2 numba threads
    with threads.solver_threads(numba=False, limit=1):  # a small factorization
        assert fake.num_threads == 1
    assert fake.num_threads == 8


def test_free_cores_leaves_out_own_and_niced_threads(monkeypatch):
    """/proc ticks faked: the machine busy 1.5 cores over the window, of which 0.5 this
    process's own: one core used by others; niced time is ignored."""
    ticks = iter([(1000, 50), (1000 + 15, 50 + 5)])
    monkeypatch.setattr(threads, "_cpu_ticks", lambda: next(ticks))
    monkeypatch.setattr(threads, "cores", lambda: 2)
    monkeypatch.setattr(threads.time, "sleep", lambda s: None)
    clock = iter([0.0, 0.0, 0.1] + [0.1] * 5)
    monkeypatch.setattr(threads.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(threads.os, "sysconf", lambda name: 100)
    assert threads.free_cores(refresh=True) == 1
    assert threads.free_cores() == 1  # cached: no second measurement (the fakes would end)
    monkeypatch.setattr(threads, "_busy", None)


def test_free_cores_of_this_machine_is_a_core_count():
    assert 1 <= threads.free_cores(refresh=True) <= threads.cores()


def test_a_lower_count_than_the_default_is_the_users(fake):
    fake.num_threads = 3
    with threads.solver_threads(numba=True):
        assert fake.num_threads == 3
    assert fake.calls == 0
    assert threads.solver_thread_rule()["pinned_by"].startswith("a limit in force")


def test_restored_after_an_exception(fake):
    with pytest.raises(RuntimeError), threads.solver_threads(numba=True):
        assert fake.num_threads == 4
        raise RuntimeError("boom")
    assert fake.num_threads == 8 and threads._depth == 0


def test_decorator_asks_its_predicate(fake):
    seen = []

    @threads.no_oversubscription(numba=lambda H, *a, method="krylov", **kw: method == "krylov")
    def evolve(H, psi0, times, *, method="krylov"):
        """Doc kept."""
        seen.append(fake.num_threads)

    evolve(None, None, None)
    evolve(None, None, None, method="dense")
    assert seen == [4, 8] and fake.num_threads == 8
    assert evolve.__name__ == "evolve" and evolve.__doc__ == "Doc kept."
    with pytest.raises(TypeError):
        threads.no_oversubscription(numba="yes")


def test_rule_reports_the_pools(fake):
    rule = threads.solver_thread_rule()
    assert rule["cores"] == 8 and rule["free_cores"] == 8 and rule["pinned_by"] is None
    assert rule["numba_kernels"] == {"numba_threads": 2, "blas_threads": 4}
    assert rule["blas_only"] == {"numba_threads": 0, "blas_threads": 8}
    assert isinstance(rule["rule"], str)


def test_a_blas_loaded_during_a_call_is_limited_and_restored(fake, monkeypatch):
    """MUMPS's BLAS loads on first use, inside a shift-invert call: it joins the rule there."""
    import threadpoolctl

    late = _FakeBlas(8)
    fake.filepath, late.filepath = "/lib/first.so", "/lib/late.so"
    found = SimpleNamespace(lib_controllers=[fake, late])
    monkeypatch.setattr(threadpoolctl, "ThreadpoolController",
                        lambda: SimpleNamespace(select=lambda user_api: found))
    monkeypatch.setattr(threads, "free_cores", lambda refresh=False: 1)
    monkeypatch.setattr(threads, "_libs", [(fake, 8)])
    with threads.solver_threads(numba=False):
        threads.adopt_new_blas()
        assert (fake.num_threads, late.num_threads) == (1, 1)
    assert (fake.num_threads, late.num_threads) == (8, 8)
    assert [lib for lib, _ in threads._libs] == [fake, late]
