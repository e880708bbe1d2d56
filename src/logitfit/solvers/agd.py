"""Nesterov's accelerated gradient with backtracking and adaptive restart.

Iterates on the mean objective f / Σs (so the Lipschitz estimate L does not grow with n):

    x⁺ = y - ∇f(y) / L          L doubled until f(x⁺) ≤ f(y) + ∇f(y)·(x⁺-y) + L/2 ‖x⁺-y‖²
    tₖ₊₁ = (1 + √(1 + 4tₖ²)) / 2
    y  = x⁺ + (tₖ - 1)/tₖ₊₁ (x⁺ - x)

and restarts the momentum (t = 1, y = x⁺) whenever it points uphill, ∇f(y)·(x⁺ - x) > 0
(O'Donoghue and Candès' gradient restart), which recovers linear convergence on strongly convex
problems. L is allowed to shrink by 10% per iteration so that one bad region does not slow the
rest of the run.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import Callback, History, SolverResult, converged
from ._registry import register
from ._standardise import unit_free_rule


@register("agd", default_max_iter=5_000)
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimise ``objective`` by accelerated gradient descent with adaptive restart."""
    scale = objective.scale
    history = History(objective, callback)
    # Unpenalised, the gradient must also meet tol in standardised coordinates (see
    # _standardise): in the features' own units a fit in millionths stopped at its start.
    settled = unit_free_rule(objective, tol)

    def done(grad):
        return converged(objective, grad, tol) and settled(grad)

    x = np.array(coef0, dtype=np.float64, copy=True)
    value_x, grad_x = objective.loss_gradient(x)
    history.record(x, value_x, grad_x, 0.0)
    y, value_y, grad_y = x, value_x, grad_x
    momentum = 1.0
    lipschitz = 1.0
    for iteration in range(1, max_iter + 1):
        if done(grad_x):
            return history.result(x, iteration - 1, True, "converged")
        mean_value_y = value_y / scale
        mean_grad_y = grad_y / scale
        while True:
            x_next = y - mean_grad_y / lipschitz
            value_next, grad_next = objective.loss_gradient(x_next)
            move = x_next - y
            # (‖move‖² overflows on columns of values near 1e200: the model is then infinite
            # and the test below fails, as it should, without a RuntimeWarning.)
            with np.errstate(over="ignore", invalid="ignore"):
                model = mean_value_y + mean_grad_y @ move + 0.5 * lipschitz * (move @ move)
            if value_next / scale <= model + 1e-15 * abs(mean_value_y):
                break
            if lipschitz > 1e300:
                # No step is short enough (curvature beyond float64, as with columns of
                # values near 1e200): taking the last one anyway raised f by 1e98.
                finished = done(grad_x)
                return history.result(
                    x, iteration - 1, finished,
                    "converged" if finished else "line search found no decrease: the objective "
                    "is flat to float64 precision along the gradient")
            lipschitz *= 2.0
        momentum_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * momentum * momentum))
        if grad_y @ (x_next - x) > 0.0:
            momentum, momentum_next = 1.0, 1.0
        y = x_next + ((momentum - 1.0) / momentum_next) * (x_next - x)
        x, value_x, grad_x = x_next, value_next, grad_next
        momentum = momentum_next
        lipschitz *= 0.9
        if history.record(x, value_x, grad_x, 1.0 / lipschitz):
            return history.result(x, iteration, done(grad_x),
                                  "stopped by callback")
        if y is x:
            value_y, grad_y = value_x, grad_x
        else:
            value_y, grad_y = objective.loss_gradient(y)
    finished = done(grad_x)
    return history.result(x, max_iter, finished, "converged" if finished else "max_iter reached")
