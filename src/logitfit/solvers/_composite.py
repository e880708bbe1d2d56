"""What the solvers for a smooth + L1 objective F = f + g share.

F(θ) = f(θ) + λ₁‖w‖₁ is not differentiable where a coefficient is zero, so these solvers judge
convergence by the KKT conditions: the minimum-norm subgradient of F,
``BCEObjective.optimality(grad, coef)``, must be at most ``tol`` (per unit of sample weight).
With λ₁ = 0 it is the gradient rule every other solver uses, so ``tol`` means the same
everywhere. ``history_["objective"]`` records F, the full objective, and
``history_["grad_norm"]`` that KKT measure.
"""

from __future__ import annotations

import numpy as np

from ._base import History


class CompositeHistory(History):
    """:class:`History` for F = f + g: rows hold F and the KKT measure at θ."""

    def optimality(self, coef: np.ndarray, grad: np.ndarray) -> float:
        """The KKT measure at θ = ``coef`` (``grad`` is ∇f(θ); rows' values are F(θ))."""
        return self.objective.optimality(grad, coef)


def kkt_converged(objective, grad: np.ndarray, coef: np.ndarray, tol: float) -> bool:
    """The convergence rule for F = f + g (see the module docstring)."""
    return objective.optimality(grad, coef) <= tol


def composite_value_gradient(objective, coef: np.ndarray) -> tuple[float, np.ndarray]:
    """Return F(θ) = f(θ) + g(θ) and ∇f(θ) from one fused pass."""
    value, grad = objective.loss_gradient(coef)
    return value + objective.penalty_value(coef), grad
