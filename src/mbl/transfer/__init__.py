"""Transfer-matrix Lyapunov exponents of the Anderson model on bars and strips (d = 1, 2, 3)."""

from mbl.transfer.lyapunov import LyapunovResult, lyapunov

__all__ = ["LyapunovResult", "lyapunov"]
