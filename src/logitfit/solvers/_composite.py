"""What the solvers for a smooth + L1 objective F = f + g share.

F(θ) = f(θ) + λ₁‖w‖₁ is not differentiable where a coefficient is zero, so these solvers judge
convergence by the KKT conditions: the minimum-norm subgradient of F,
``BCEObjective.optimality(grad, coef)``, must be at most ``tol`` (per unit of sample weight).
With λ₁ = 0 it is the gradient rule every other solver uses, so ``tol`` means the same
everywhere. ``history_["objective"]`` records F, the full objective, and
``history_["grad_norm"]`` that KKT measure.
"""

from __future__ import annotations

import time

import numpy as np

from ._base import History, IterationInfo


class CompositeHistory(History):
    """:class:`History` for F = f + g: rows hold F and the KKT measure at θ."""

    def record(self, coef: np.ndarray, value: float, grad: np.ndarray, step: float) -> bool:
        """Store a row (``value`` is F(θ), ``grad`` is ∇f(θ)); True when the callback stops."""
        grad_norm = self.objective.optimality(grad, coef)
        elapsed = time.perf_counter() - self.start
        self.rows.append((value, grad_norm, step, elapsed))
        if self.callback is None:
            return False
        info = IterationInfo(len(self.rows) - 1, value, grad_norm, step, elapsed, coef)
        return bool(self.callback(info))


def kkt_converged(objective, grad: np.ndarray, coef: np.ndarray, tol: float) -> bool:
    """The convergence rule for F = f + g (see the module docstring)."""
    return objective.optimality(grad, coef) <= tol


def composite_value_gradient(objective, coef: np.ndarray) -> tuple[float, np.ndarray]:
    """Return F(θ) = f(θ) + g(θ) and ∇f(θ) from one fused pass."""
    value, grad = objective.loss_gradient(coef)
    return value + objective.penalty_value(coef), grad
