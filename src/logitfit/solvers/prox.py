"""Proximal gradient descent for F = f + λ₁‖w‖₁: FISTA with backtracking and adaptive restart.

The L1 extension of the accelerated gradient solver (``agd``). On the mean objective
F / Σs (so the Lipschitz estimate L does not grow with n), with prox the soft-threshold of
``BCEObjective.prox`` (the intercept is not thresholded):

    x⁺ = prox_{g/L}(y - ∇f(y) / L)     L doubled until f(x⁺) ≤ f(y) + ∇f(y)·(x⁺-y) + L/2 ‖x⁺-y‖²
    tₖ₊₁ = (1 + √(1 + 4tₖ²)) / 2
    y  = x⁺ + (tₖ - 1)/tₖ₊₁ (x⁺ - x)

(Beck and Teboulle's FISTA). The momentum is restarted (t = 1, y = x⁺) when the gradient
mapping points uphill, (y - x⁺)·(x⁺ - x) > 0, or F increased (O'Donoghue and Candès), which
restores linear convergence once the support has settled; when F increased, the step is
replaced by a plain proximal gradient step from the last iterate, which cannot increase F, so
the recorded F is monotone (up to rounding). L may shrink by 10% per iteration.
Each iteration costs two fused passes over X (at x⁺ and at y). Convergence: the KKT rule of
``_composite``.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import EPS, Callback, SolverResult
from ._composite import CompositeHistory, kkt_converged
from ._registry import register
from ._standardise import unit_free_rule


@register("prox", default_max_iter=10_000, handles_l1=True)
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimise f + λ₁‖w‖₁ by FISTA with backtracking and restart."""
    scale = objective.scale
    history = CompositeHistory(objective, callback)
    lipschitz = 1.0
    # Without any penalty the KKT measure is the gradient, which must then also meet tol in
    # standardised coordinates (see _standardise).
    settled = unit_free_rule(objective, tol)

    def done(grad, coef):
        return kkt_converged(objective, grad, coef, tol) and settled(grad)

    def proximal_step(y, smooth_y, grad_y):
        # x⁺ = prox_{g/L}(y - ∇f(y)/L), doubling L until the quadratic upper bound holds.
        nonlocal lipschitz
        mean_smooth_y = smooth_y / scale
        mean_grad_y = grad_y / scale
        while True:
            step = 1.0 / lipschitz
            x_next = objective.prox(y - step * mean_grad_y, step / scale)
            smooth_next, grad_next = objective.loss_gradient(x_next)
            move = x_next - y
            squared = float(move @ move)
            model = mean_smooth_y + mean_grad_y @ move + 0.5 * lipschitz * squared
            if smooth_next / scale <= model or lipschitz > 1e300:
                return x_next, smooth_next, grad_next
            # Near the optimum the quadratic term is below the rounding error of f, so the
            # test above fails on noise alone. When it fails by no more than that noise, the
            # curvature test (∇f(x⁺) - ∇f(y))·(x⁺ - y) ≤ L‖x⁺ - y‖², which implies the same
            # bound and does not suffer from the cancellation, decides (as in TFOCS).
            if smooth_next / scale - model <= 64.0 * EPS * abs(mean_smooth_y) and (
                (grad_next - grad_y) @ move <= lipschitz * squared * scale
            ):
                return x_next, smooth_next, grad_next
            lipschitz *= 2.0

    x = np.array(coef0, dtype=np.float64, copy=True)
    smooth_x, grad_x = objective.loss_gradient(x)
    total_x = smooth_x + objective.penalty_value(x)
    history.record(x, total_x, grad_x, 0.0)
    y, smooth_y, grad_y = x, smooth_x, grad_x
    momentum = 1.0
    for iteration in range(1, max_iter + 1):
        if done(grad_x, x):
            return history.result(x, iteration - 1, True, "converged")
        x_next, smooth_next, grad_next = proximal_step(y, smooth_y, grad_y)
        total_next = smooth_next + objective.penalty_value(x_next)
        if total_next > total_x and y is not x:
            # The momentum overshot: restart it and take a plain proximal gradient step from
            # x instead, which cannot increase F, so every recorded F is at most the last.
            momentum = 1.0
            x_next, smooth_next, grad_next = proximal_step(x, smooth_x, grad_x)
            total_next = smooth_next + objective.penalty_value(x_next)
        momentum_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * momentum * momentum))
        if (y - x_next) @ (x_next - x) > 0.0:
            momentum, momentum_next = 1.0, 1.0
        beta = (momentum - 1.0) / momentum_next
        y = x_next if beta == 0.0 else x_next + beta * (x_next - x)
        x, smooth_x, total_x, grad_x = x_next, smooth_next, total_next, grad_next
        momentum = momentum_next
        lipschitz *= 0.9
        if history.record(x, total_x, grad_x, 1.0 / lipschitz):
            return history.result(x, iteration, done(grad_x, x),
                                  "stopped by callback")
        if y is x:
            smooth_y, grad_y = smooth_x, grad_x
        else:
            smooth_y, grad_y = objective.loss_gradient(y)
    finished = done(grad_x, x)
    return history.result(x, max_iter, finished, "converged" if finished else "max_iter reached")
