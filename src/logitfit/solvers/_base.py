"""What every solver shares: the result type, the history, the convergence rule, the line search.

The convergence rule is the same for every solver: stop when

    ‖∇f(θ)‖∞ / Σᵢ sᵢ  ≤  tol

(``BCEObjective.optimality``), the largest gradient component per unit of sample weight. It
is the rule of scikit-learn's L-BFGS solver, so a ``tol`` means the same in both packages.
Unpenalised fits, whose gradient scales with the units of the features, also need a short
last Newton step (``newton_step_settled``) or, in L-BFGS, a small standardised gradient.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

EPS = np.finfo(np.float64).eps


class IterationInfo(NamedTuple):
    """What a callback receives once per iteration (iteration 0 is the starting point)."""

    iteration: int
    objective: float
    grad_norm: float
    step: float
    time: float
    coef: np.ndarray


Callback = Callable[[IterationInfo], "bool | None"]


@dataclass
class SolverResult:
    """Outcome of a solver run.

    Attributes
    ----------
    coef : ndarray of shape (n_coef,)
        Final coefficients, intercept last.
    n_iter : int
        Iterations performed (the starting point is not one).
    converged : bool
        Whether the convergence rule holds at ``coef``.
    history : dict of str to ndarray
        Per-iteration ``objective``, ``grad_norm``, ``step`` and ``time`` (seconds since the
        start), one entry per iteration plus the starting point.
    message : str
        Why the solver stopped.
    best_iteration : int or None
        Set when ``coef`` is not the last iterate but the one of lowest objective (steps
        taken without a line search made the objective rise): that iteration's index.
    stopped_by_callback : bool
        Whether the run ended because the callback asked it to.
    """

    coef: np.ndarray
    n_iter: int
    converged: bool
    history: dict[str, np.ndarray] = field(default_factory=dict)
    message: str = ""
    best_iteration: int | None = None
    stopped_by_callback: bool = False


class History:
    """Records one row per iteration and forwards it to the user's callback."""

    def __init__(self, objective, callback: Callback | None):
        self.objective = objective
        self.callback = callback
        self.start = time.perf_counter()
        self.rows: list[tuple[float, float, float, float]] = []
        self.stop_requested = False

    def optimality(self, coef: np.ndarray, grad: np.ndarray) -> float:
        """The convergence measure at θ = ``coef`` recorded as ``grad_norm``."""
        return self.objective.optimality(grad)

    def record(self, coef: np.ndarray, value: float, grad: np.ndarray, step: float) -> bool:
        """Store a row; return True when the callback asks to stop."""
        grad_norm = self.optimality(coef, grad)
        elapsed = time.perf_counter() - self.start
        self.rows.append((value, grad_norm, step, elapsed))
        if self.callback is None:
            return False
        info = IterationInfo(len(self.rows) - 1, value, grad_norm, step, elapsed, coef)
        self.stop_requested = bool(self.callback(info))
        return self.stop_requested

    def result(self, coef, n_iter: int, converged: bool, message: str,
               best_iteration: int | None = None) -> SolverResult:
        columns = np.array(self.rows, dtype=np.float64).reshape(-1, 4)
        history = {
            name: columns[:, k].copy()
            for k, name in enumerate(("objective", "grad_norm", "step", "time"))
        }
        return SolverResult(np.asarray(coef, dtype=np.float64), n_iter, converged, history,
                            message, best_iteration, self.stop_requested)


def converged(objective, grad: np.ndarray, tol: float) -> bool:
    """The one convergence rule (see the module docstring)."""
    return objective.optimality(grad) <= tol


def _newton_decrement(grad: np.ndarray, direction: np.ndarray) -> float:
    """√(∇fᵀ H⁻¹ ∇f) for the Newton direction d = -H⁻¹∇f: the length of the full step in
    the norm of H, that is in standard errors of the unpenalised estimate."""
    return float(np.sqrt(max(-float(grad @ direction), 0.0)))


def newton_step_settled(grad: np.ndarray, direction: np.ndarray, value: float,
                        tol: float) -> bool:
    """Whether an exact Newton step from θ (where f = ``value``) says that an unpenalised fit
    is done: it is at most tol standard errors long, or the decrease of f it predicts,
    ½ ∇fᵀ H⁻¹ ∇f, is below the rounding of f.

    Without a penalty the gradient rule alone depends on the units of the features: with
    every column in millionths (concentrations in mol/L), ∇f is a millionth of its size in
    units, so the intercept-only start met tol = 1e-6 and a fit stopped there, reporting
    slopes of 0 with p = 1 where the slope's z was 10. The step's length is the same in any
    units, so unpenalised fits also need a step this short, which leaves the estimate within
    about its square of the maximum-likelihood estimate: as statsmodels gives it, not only
    as the gradient rule's tol (8e-6 relative to it on 2,000 x 8). Rounding bounds the
    length from below (it grows with the square root of the weights' sum): a length whose
    predicted decrease f cannot show is as short as float64 makes it.
    """
    length = _newton_decrement(grad, direction)
    noise = _DECREASE_ROUNDING * np.finfo(np.float64).eps * abs(value)
    return length <= tol or 0.5 * length * length <= noise


# A decrease of f below this many units in its last place is rounding.
_DECREASE_ROUNDING = 16.0


class LineSearchResult(NamedTuple):
    step: float
    coef: np.ndarray
    value: float
    grad: np.ndarray


def armijo_backtracking(
    objective,
    coef: np.ndarray,
    value: float,
    grad: np.ndarray,
    direction: np.ndarray,
    *,
    step: float = 1.0,
    shrink: float = 0.5,
    sufficient_decrease: float = 1e-4,
    max_halvings: int = 60,
) -> LineSearchResult | None:
    """Backtrack from ``step`` until f(θ + t d) ≤ f(θ) + c t ∇f(θ)·d (Armijo).

    Near the optimum the decrease can fall below the rounding error of f itself. A step whose
    value is unchanged to within that rounding error is then accepted when it reduces the
    gradient, so solvers can reach gradient norms that the function value cannot resolve.
    Returns None when no step is accepted (``direction`` is not a descent direction in
    floating point).
    """
    slope = float(grad @ direction)
    if not slope < 0.0:
        return None
    noise = 64.0 * EPS * abs(value)
    grad_size = float(np.abs(grad).sum())
    for _ in range(max_halvings):
        trial = coef + step * direction
        if np.array_equal(trial, coef):
            # The step no longer moves θ in floating point, nor would a shorter one. (Its
            # value, f(θ) itself, would pass the test below once c t ∇f·d is below half an
            # ulp of f, and the solver would then repeat the same point until max_iter.)
            return None
        trial_value, trial_grad = objective.loss_gradient(trial)
        if trial_value <= value + sufficient_decrease * step * slope:
            return LineSearchResult(step, trial, trial_value, trial_grad)
        if trial_value <= value + noise and float(np.abs(trial_grad).sum()) < grad_size:
            return LineSearchResult(step, trial, trial_value, trial_grad)
        step *= shrink
    return None


DirectionRule = Callable[[np.ndarray, float, np.ndarray, float], "tuple[np.ndarray, float, bool]"]
# (coef, value, grad) at an iterate that meets the convergence rule -> one more (d, t0,
# search) to take before stopping, or None to stop there.
FinalRule = Callable[[np.ndarray, float, np.ndarray], "tuple[np.ndarray, float, bool] | None"]


def descent_loop(
    name: str,
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None,
    direction_rule: DirectionRule,
    final_rule: FinalRule | None = None,
    settled: Callable[[np.ndarray], bool] | None = None,
    history: History | None = None,
    max_passes: float | None = None,
) -> SolverResult:
    """Iterate θ ← θ + t d until the convergence rule holds.

    ``direction_rule(coef, value, grad, previous_step)`` returns ``(d, t0, search)``: the
    direction, the first step to try, and whether to backtrack from it (Armijo) or take it
    as it is. Gradient descent, Newton-Cholesky and Newton-CG differ only in this rule.
    ``final_rule(coef, value, grad)``, asked once the rule holds, may return one more such
    step to take (an iteration like the others) before the loop stops; ``settled(grad)`` says
    whether the run may stop there (the final rule has no more to ask for; without a final
    rule, the loop takes another ``direction_rule`` step while it says no), so that a run
    stopped before (by ``max_iter`` or the callback) is not reported converged.
    ``history``, when given, holds the iterations of another method that ended at ``coef0``
    (its last row, passed to its callback already): the loop goes on from there, numbering
    on, within ``max_iter``.
    ``max_passes``, when given, also stops the loop once its iterations have made that many
    passes over X (``objective.n_data_passes``), with the message "max_iter reached": the
    budget of passes of the other method's iterations that were left.
    """
    coef = np.array(coef0, dtype=np.float64, copy=True)
    passes_at_start = objective.n_data_passes
    value, grad = objective.loss_gradient(coef)
    if history is None:
        history = History(objective, callback)
        history.record(coef, value, grad, 0.0)
    first_iteration = len(history.rows)
    # Steps taken without a line search (a fixed learning rate) can raise the objective and
    # diverge: a fit that ends unconverged returns the iterate of lowest objective, not the
    # last one.
    best_value, best_coef, best_iteration = value, coef, first_iteration - 1

    def unconverged(coef, n_iter, message):
        if best_value < value or not np.isfinite(value):
            message += (f"; the objective rose, so the coefficients are those of iteration "
                        f"{best_iteration}, where it was lowest")
            return history.result(best_coef, n_iter, False, message, best_iteration)
        return history.result(coef, n_iter, False, message)

    def done():
        return converged(objective, grad, tol) and (settled is None or settled(grad))

    step = 1.0
    for iteration in range(first_iteration, max_iter + 1):
        if not converged(objective, grad, tol):
            direction, first_step, search = direction_rule(coef, value, grad, step)
        else:
            final = None if final_rule is None else final_rule(coef, value, grad)
            if final is None:
                if settled is None or settled(grad):
                    return history.result(coef, iteration - 1, True, "converged")
                final = direction_rule(coef, value, grad, step)
            direction, first_step, search = final
        if search:
            found = armijo_backtracking(objective, coef, value, grad, direction, step=first_step)
            if found is None:
                finished = done()
                return history.result(
                    coef, iteration - 1, finished,
                    "converged" if finished else "line search found no decrease: the objective "
                    "is flat to float64 precision along the search direction",
                )
            step, coef, value, grad = found
        else:
            step = first_step
            coef = coef + step * direction
            value, grad = objective.loss_gradient(coef)
        if not np.isfinite(value):
            return unconverged(coef, iteration, "the objective became non-finite")
        if value < best_value:
            best_value, best_coef, best_iteration = value, coef, iteration
        if history.record(coef, value, grad, step):
            if done():
                return history.result(coef, iteration, True, "stopped by callback")
            return unconverged(coef, iteration, "stopped by callback")
        if (max_passes is not None and objective.n_data_passes - passes_at_start >= max_passes
                and not done()):
            return unconverged(coef, iteration, "max_iter reached")
    if done():
        return history.result(coef, max_iter, True, "converged")
    return unconverged(coef, max_iter, "max_iter reached")
