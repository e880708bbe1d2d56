"""L-BFGS-B from scipy.optimize on the fused value-and-gradient.

scipy's L-BFGS-B is the well-kept implementation; logitfit gives it the mean objective
f / Σs and its gradient from one fused pass per evaluation. scipy's ``gtol`` tests the same
quantity as logitfit's convergence rule (max-norm of the mean gradient), so ``tol`` is passed
through unchanged; its ``ftol`` is set at the float64 noise level so it only stops a run that
can make no further progress.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize

from .._kernels import one_blas_thread
from ._base import EPS, Callback, History, SolverResult, converged
from ._registry import register


@register("lbfgs", default_max_iter=1_000, options=("memory",))
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
    memory: int = 20,
) -> SolverResult:
    """Minimise ``objective`` by scipy's L-BFGS-B."""
    scale = objective.scale
    history = History(objective, callback)
    last = {}

    def mean_loss_gradient(coef):
        value, grad = objective.loss_gradient(coef)
        last["coef"], last["value"], last["grad"] = coef.copy(), value, grad
        return value / scale, grad / scale

    def value_grad_at(coef):
        # scipy reports the accepted point, which is the last one evaluated by its line
        # search; recompute only if it is not.
        if "coef" not in last or not np.array_equal(last["coef"], coef):
            mean_loss_gradient(coef)
        return last["value"], last["grad"]

    coef = np.array(coef0, dtype=np.float64, copy=True)
    history.record(coef, *value_grad_at(coef), 0.0)
    if converged(objective, last["grad"], tol):
        return history.result(coef, 0, True, "converged")
    previous = {"coef": coef}
    stopped_by_callback = []

    def on_iteration(intermediate_result):
        x = intermediate_result.x
        value, grad = value_grad_at(x)
        step = float(np.linalg.norm(x - previous["coef"]))
        previous["coef"] = x.copy()
        if history.record(x, value, grad, step):
            stopped_by_callback.append(True)
            raise StopIteration

    # L-BFGS-B's own BLAS calls are on (n_coef, memory) matrices, too small to gain from
    # threads; in one thread, no idle BLAS worker spins on a core the next pass needs.
    with one_blas_thread():
        result = scipy.optimize.minimize(
            mean_loss_gradient, coef, jac=True, method="L-BFGS-B", callback=on_iteration,
            options={"maxiter": max_iter, "maxcor": memory, "gtol": tol, "ftol": EPS,
                     "maxls": 50, "maxfun": 10 * max_iter + 100},
        )
    value, grad = value_grad_at(result.x)
    done = converged(objective, grad, tol)
    if stopped_by_callback:
        message = "stopped by callback"
    elif done:
        message = "converged"
    elif result.nit >= max_iter:
        message = "max_iter reached"
    else:
        message = f"L-BFGS-B stopped: {result.message}"
    return history.result(result.x, int(result.nit), done, message)
