"""Solvers for the BCE objective, one module each, all with one interface::

    solve(objective, coef0, *, tol, max_iter, callback, **options) -> SolverResult

``SOLVERS`` maps the public names to them; ``select_solver`` is the ``"auto"`` rule.
"""

from . import agd, cd, gd, lbfgs, newton_cg, newton_cholesky, prox  # noqa: F401  (they register)
from ._base import IterationInfo, SolverResult
from ._registry import SOLVERS, select_solver

__all__ = ["SOLVERS", "IterationInfo", "SolverResult", "select_solver"]
