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
# a handful of iterations. Wider or sparse problems get Newton-CG, whose Hessian-vector products
# cost one pass over X each.
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
    * dense X with n_features ≤ 1000 and at least as many samples as features →
      ``"newton-cholesky"``;
    * otherwise (wide dense data) → ``"newton-cg"``.
    """
    if objective.sparse:
        return "newton-cg"
    if (
        objective.n_features <= NEWTON_CHOLESKY_MAX_FEATURES
        and objective.n_samples >= objective.n_features
    ):
        return "newton-cholesky"
    return "newton-cg"
