"""Truncated Newton: the Newton system solved inexactly by conjugate gradients.

Each CG iteration needs one Hessian-vector product H v = [X, 1]ᵀ (h ⊙ ([X, 1] v)) + penalty,
a single fused pass over X; the Hessian itself is never formed, so this suits wide and sparse
data. The CG tolerance follows Eisenstat and Walker's forcing sequence
η = min(0.5, √(‖∇f‖/Σs)): loose far from the optimum, tight close to it, which keeps the
superlinear convergence of Newton's method at a fraction of its cost. CG is preconditioned by
the Hessian's diagonal (Jacobi), which undoes badly scaled features.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg as spla

from ._base import Callback, SolverResult, descent_loop, newton_step_settled
from ._registry import register


@register("newton-cg", default_max_iter=200, options=("max_cg_iter",))
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
    max_cg_iter: int | None = None,
) -> SolverResult:
    """Minimise ``objective`` by Newton-CG with Armijo backtracking.

    An unpenalised fit also needs its last step to be short in standard errors, as
    Newton-Cholesky's (see ``newton_step_settled``): the gradient rule alone stopped fits on
    features in millionths at the start.
    """
    return descent_loop("newton-cg", objective, coef0, tol=tol, max_iter=max_iter,
                        callback=callback,
                        **settling(objective, tol,
                                   newton_cg_direction_rule(objective, max_cg_iter)))


def settling(objective, tol: float, rule) -> dict:
    """``direction_rule``, ``final_rule`` and ``settled`` for :func:`descent_loop` from the
    Newton direction rule ``rule``: an unpenalised fit goes on, once the gradient rule
    holds, until a Newton step is short in standard errors (``newton_step_settled``)."""
    penalised = objective.l2_strength > 0.0 or objective.l1_strength > 0.0
    last = {"settled": penalised}

    def direction_rule(coef, value, grad, previous_step):
        direction, first_step, search = rule(coef, value, grad, previous_step)
        last["settled"] = penalised or newton_step_settled(grad, direction, value, tol)
        return direction, first_step, search

    def final_rule(coef, value, grad):
        return None if last["settled"] else direction_rule(coef, value, grad, 1.0)

    return {"direction_rule": direction_rule, "final_rule": final_rule,
            "settled": lambda grad: last["settled"]}


def newton_cg_direction_rule(objective, max_cg_iter: int | None = None,
                             max_passes: float | None = None):
    """The direction rule of :func:`descent_loop` for truncated Newton steps.

    ``max_passes``: the passes over X that all the steps of this rule may make together
    (``objective.n_data_passes`` counted from now); each step's CG iterations are cut to what
    is left of it once the step's diagonal is made, less its line search's first evaluation.
    """
    n = objective.n_coef
    cg_budget = max_cg_iter if max_cg_iter is not None else max(50, min(n, 500))
    passes_at_start = objective.n_data_passes

    def direction_rule(coef, value, grad, previous_step):
        hessp = objective.hessp(coef)
        operator = spla.LinearOperator((n, n), matvec=hessp, dtype=np.float64)
        diagonal = objective.hessian_diagonal(coef)
        preconditioner = spla.LinearOperator(
            (n, n), matvec=lambda v: v.ravel() / diagonal, dtype=np.float64
        )
        forcing = min(0.5, np.sqrt(objective.optimality(grad)))
        iterations = cg_budget
        if max_passes is not None:
            left = max_passes - (objective.n_data_passes - passes_at_start) - 1
            iterations = int(max(1, min(cg_budget, left)))
        # On columns of values near 1e200, CG's inner products overflow (thousands of
        # RuntimeWarnings in one fit); the direction is then not a descent direction, which
        # the test below catches.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            direction, _ = spla.cg(operator, -grad, rtol=forcing, maxiter=iterations,
                                   M=preconditioner)
        if not float(grad @ direction) < 0.0:
            # CG stopped before producing a descent direction (or overflowed): fall back to
            # the preconditioned steepest-descent direction, which always is one.
            direction = -grad / diagonal
        return direction, 1.0, True

    return direction_rule
