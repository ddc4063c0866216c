"""One BLAS thread per test: ensembles of small dense problems run fastest that way, and a
loaded machine is not oversubscribed (DESIGN §3 pins BLAS the same way for ensembles)."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield
