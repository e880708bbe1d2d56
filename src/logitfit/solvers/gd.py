"""Gradient descent, the update of the seed derivation: θ ← θ - η ∇f(θ).

∇f(θ) = Σᵢ sᵢ (σ(zᵢ) - yᵢ) [xᵢ, 1] + penalty term, seed eq. (12). The step is applied to the
mean gradient ∇f / Σsᵢ, so a ``learning_rate`` does not depend on the number of samples.

By default the step is found by Armijo backtracking, starting each iteration from twice the
previous accepted step (so it can grow again after a cautious start). With
``learning_rate=η`` the fixed step η is used with no line search, as in the textbook method.
"""

from __future__ import annotations

import numpy as np

from ._base import Callback, SolverResult, descent_loop
from ._registry import register
from ._standardise import unit_free_rule


@register("gd", default_max_iter=10_000, options=("learning_rate",))
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
    learning_rate: float | None = None,
) -> SolverResult:
    """Minimise ``objective`` by (backtracking) gradient descent."""
    if learning_rate is not None and not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
    scale = objective.scale

    def direction_rule(coef, value, grad, previous_step):
        mean_gradient_direction = -grad / scale
        if learning_rate is not None:
            return mean_gradient_direction, float(learning_rate), False
        return mean_gradient_direction, 2.0 * previous_step, True

    # Unpenalised, the gradient must also meet tol in standardised coordinates (see
    # _standardise): in the features' own units a fit in millionths stopped at its start.
    return descent_loop("gd", objective, coef0, tol=tol, max_iter=max_iter, callback=callback,
                        direction_rule=direction_rule, settled=unit_free_rule(objective, tol))
