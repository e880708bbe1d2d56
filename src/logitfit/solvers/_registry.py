"""Name → solver registry, and the rule behind ``solver="auto"``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._base import SolverResult

SolveFunction = Callable[..., SolverResult]


@dataclass(frozen=True)
class SolverSpec:
    """A registered solver: its function, default iteration budget and what it accepts."""

    name: str
    solve: SolveFunction
    default_max_iter: int
    options: tuple[str, ...] = ()


SOLVERS: dict[str, SolverSpec] = {}

# Dense problems with at most this many coefficients get Newton-Cholesky: one Hessian costs
# n·d² multiply-adds at BLAS speed plus a d³/3 factorisation, repaid by quadratic convergence in
# a handful of iterations (and on large data the solver reuses and subsamples Hessians). Wider
# dense problems with more samples than features get L-BFGS: there a Hessian costs hundreds of
# passes over X, while L-BFGS needs about one pass per iteration, and data with n > d > 1000
# are well enough conditioned that it needs few iterations (Newton-CG spends several
# Hessian-vector passes per iteration instead). Sparse problems and problems with fewer
# samples than features get Newton-CG, whose Hessian-vector products cost one pass each and
# whose Jacobi preconditioner copes with the very unequal column scales of sparse data.
NEWTON_CHOLESKY_MAX_FEATURES = 1000


def register(name: str, *, default_max_iter: int, options: tuple[str, ...] = ()):
    """Decorator: make ``solve`` available as ``solver=name``."""

    def decorator(solve: SolveFunction) -> SolveFunction:
        SOLVERS[name] = SolverSpec(name, solve, default_max_iter, options)
        return solve

    return decorator


def select_solver(objective) -> str:
    """The ``solver="auto"`` rule.

    * sparse X → ``"newton-cg"`` (a Hessian would be d x d dense);
    * dense X with at least as many samples as features: n_features ≤ 1000 →
      ``"newton-cholesky"``, more features → ``"lbfgs"``;
    * dense X with fewer samples than features → ``"newton-cg"``.
    """
    if objective.sparse or objective.n_samples < objective.n_features:
        return "newton-cg"
    if objective.n_features <= NEWTON_CHOLESKY_MAX_FEATURES:
        return "newton-cholesky"
    return "lbfgs"
