"""L-BFGS-B from scipy.optimize on the fused value-and-gradient, in standardised coordinates.

scipy's L-BFGS-B is the well-kept implementation; logitfit gives it the mean objective
f / Σs and its gradient from one fused pass per evaluation.

Standardised coordinates. L-BFGS is not invariant to the scale of the features: with columns
whose scales span six orders of magnitude it needs thousands of iterations, or stalls. So it
runs on u with θ = T u, where T undoes a standardisation of the columns (mⱼ their weighted
means, sⱼ their weighted standard deviations, widened where the L2 penalty is the larger part
of the curvature; see ``_standardise.standardising_map``):

    wⱼ = uⱼ / sⱼ,    b = u_b - Σⱼ mⱼ uⱼ / sⱼ,    so    x·w + b = Σⱼ uⱼ (xⱼ - mⱼ) / sⱼ + u_b,

the same model on standardised data, whose gradient is Tᵀ ∇f(θ), O(n_features) from ∇f. X is
never changed or copied (sparse X stays sparse); the moments come from one pass over a sample
of the rows (a fraction of a pass on tall data), once per objective. Without an intercept the
columns are only scaled, by their root mean square. Data whose columns already have about
unit scale and small means keep T = I.

Convergence is logitfit's rule on the original gradient, tested after every iteration (the
callback stops the run); without a penalty the transformed gradient must meet tol too, as the
original one scales with the units of the features (in millionths, the start met it). scipy's
``gtol``, on the transformed gradient, is off, and its
``ftol`` is set at the float64 noise level. When that stops a run short of tol (f no longer
decreases in float64, while the gradient rule asks for more, as it can on columns of large
values), Newton-CG steps take the run on from there, within the same ``max_iter``.

Slow runs. Standardising evens out the scales of the columns, not every cause of a poorly
conditioned problem: on heavy-tailed columns (Cauchy-distributed, 4,000 x 1,200) L-BFGS was
still 1e-4 above the optimum after 1,000 iterations, and scikit-learn's needed 6,550, where
Newton-CG converges in 21 iterations and 173 passes over X. So once a run has spent half of
``max_iter`` (and at least ``_PROGRESS_WINDOW`` iterations), the rate at which its best
optimality measure fell over the second half of its iterations is extrapolated; when that
rate would reach tol only after twice ``max_iter``, Newton-CG steps take the run on (if it
has a penalty, and passes left for a trial of at least ``_MIN_TRIAL_PASSES``). They may make
the passes over X that the remaining L-BFGS iterations would have made, about one each, and
no more (each step's CG iterations are cut to what is left), and they are on trial: after a
tenth of those passes, unless they lowered both the optimality measure and the objective
faster per pass than L-BFGS did, L-BFGS takes the run back, from where they left it, for the
passes left. Judged earlier or over shorter spans, the rate misleads: L-BFGS's best gradient
falls in steps, with flat stretches of tens of iterations; and on weakly penalised, nearly
separable data Newton-CG can cut the gradient without moving f, or need thousands of
passes, where L-BFGS, slow as it is, gets there first. Unpenalised runs are left to L-BFGS:
slow progress there often means separated classes, which the estimator's check should see.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.optimize

from .._kernels import one_blas_thread
from ._base import EPS, Callback, History, SolverResult, converged, descent_loop
from ._registry import register
from ._standardise import standardising_map, unit_free_rule
from .newton_cg import newton_cg_direction_rule, settling


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
    """Minimise ``objective`` by scipy's L-BFGS-B (in standardised coordinates)."""
    scale = objective.scale
    passes_at_start = objective.n_data_passes
    history = History(objective, callback)
    last = {}
    to_coef, to_standard, gradient_to_standard = standardising_map(objective)

    def mean_loss_gradient(standard):
        coef = to_coef(standard)
        value, grad = objective.loss_gradient(coef)
        last["coef"], last["value"], last["grad"] = coef, value, grad
        return value / scale, gradient_to_standard(grad) / scale

    def value_grad_at(standard):
        # scipy reports the accepted point, which is the last one evaluated by its line
        # search; recompute only if it is not.
        coef = to_coef(standard)
        if "coef" not in last or not np.array_equal(last["coef"], coef):
            mean_loss_gradient(standard)
        return coef, last["value"], last["grad"]

    settled = unit_free_rule(objective, tol, gradient_to_standard)

    def done(grad):
        return converged(objective, grad, tol) and settled(grad)

    coef = np.array(coef0, dtype=np.float64, copy=True)
    coef, value, grad = value_grad_at(to_standard(coef))
    history.record(coef, value, grad, 0.0)
    if done(grad):
        return history.result(coef, 0, True, "converged")
    # The lowest optimality measure reached by each iteration (0 the start): L-BFGS does not
    # lower the gradient at every step, its best value falls steadily.
    best_optimality = [objective.optimality(grad)]
    stop = {}

    def run(coef, iterations, judge):
        """scipy's L-BFGS-B from ``coef`` for at most ``iterations`` iterations; ``judge``:
        stop it once it is too slow. Returns (coef, value, grad) where it stopped."""
        previous = {"coef": coef}
        stop.clear()

        def on_iteration(intermediate_result):
            coef, value, grad = value_grad_at(intermediate_result.x)
            # (BLAS's scaled norm: numpy's squares coefficients near 1e158 into overflow.)
            step = float(scipy.linalg.blas.dnrm2(coef - previous["coef"]))
            previous["coef"] = coef
            if history.record(coef, value, grad, step):
                stop["callback"] = True
                raise StopIteration
            if done(grad):
                raise StopIteration
            best_optimality.append(min(best_optimality[-1], objective.optimality(grad)))
            if judge and _too_slow(best_optimality, tol, max_iter) and _worth_a_trial(
                    objective, max_iter, len(best_optimality) - 1,
                    objective.n_data_passes - passes_at_start):
                stop["slow"] = True
                raise StopIteration

        # L-BFGS-B's own BLAS calls are on (n_coef, memory) matrices, too small to gain from
        # threads; in one thread, no idle BLAS worker spins on a core the next pass needs.
        with one_blas_thread():
            result = scipy.optimize.minimize(
                mean_loss_gradient, to_standard(coef), jac=True, method="L-BFGS-B",
                callback=on_iteration,
                options={"maxiter": iterations, "maxcor": memory, "gtol": 0.0, "ftol": EPS,
                         "maxls": 50, "maxfun": 10 * iterations + 100},
            )
        stop["out_of_iterations"] = result.nit >= iterations
        return value_grad_at(result.x)

    coef, value, grad = run(coef, max_iter, judge=True)
    if stop.get("slow"):
        outcome = _newton_cg_after_slow_run(objective, coef, tol, max_iter, history,
                                            best_optimality, objective.n_data_passes
                                            - passes_at_start)
        if not isinstance(outcome, tuple):
            return outcome
        # Newton-CG made less progress per pass than L-BFGS had: L-BFGS goes on from where
        # Newton-CG left the run, for the passes left.
        coef, iterations = outcome
        coef, value, grad = run(coef, iterations, judge=False)
    n_iter = len(history.rows) - 1
    finished = done(grad)
    if stop.get("callback"):
        return history.result(coef, n_iter, finished, "stopped by callback")
    if finished:
        return history.result(coef, n_iter, True, "converged")
    if stop["out_of_iterations"]:
        return history.result(coef, n_iter, False, "max_iter reached")
    # scipy stopped because f no longer decreases at float64 resolution. With columns of
    # large values (years, incomes), the gradient rule can ask for changes of θ whose effect
    # on f is below that resolution (5e-6 > tol=1e-6 on 5,000 rows with a column of years):
    # Newton-CG steps, which follow the gradient and Hessian rather than the decrease of f
    # alone, go on from there within the same max_iter.
    return descent_loop("lbfgs", objective, coef, tol=tol, max_iter=max_iter, callback=None,
                        history=history,
                        **settling(objective, tol, newton_cg_direction_rule(objective)))


# Of the passes left to a run judged too slow, the share Newton-CG gets on trial: it keeps
# the rest only if it lowered the optimality measure and the objective faster per pass than
# L-BFGS did.
_TRIAL_SHARE = 0.1


def _newton_cg_after_slow_run(objective, coef, tol, max_iter, history, best_optimality,
                              lbfgs_passes):
    """Newton-CG steps after an L-BFGS run judged too slow, within the passes over X its
    remaining iterations stood for.

    Returns the SolverResult when Newton-CG keeps the run (it converged, the callback
    stopped it, it used the passes up, or it progressed faster per pass than L-BFGS), else
    (θ where it stopped, L-BFGS iterations to go on with).
    """
    n_iter = len(history.rows) - 1
    passes_per_iteration = max(lbfgs_passes / max(n_iter, 1), 1.0)
    budget = (max_iter - n_iter) * passes_per_iteration
    lbfgs_rate = _rate(best_optimality) / passes_per_iteration  # log factor per pass
    passes_at_handover = objective.n_data_passes

    def newton_cg(coef, passes):
        return descent_loop(
            "lbfgs", objective, coef, tol=tol, max_iter=max_iter, callback=None,
            direction_rule=newton_cg_direction_rule(objective, max_passes=passes),
            history=history, max_passes=passes)

    trial = newton_cg(coef, _TRIAL_SHARE * budget)
    if trial.converged or trial.stopped_by_callback or trial.n_iter >= max_iter:
        return trial
    used = max(objective.n_data_passes - passes_at_handover, 1.0)
    reached = float(np.min(trial.history["grad_norm"][n_iter:]))
    newton_rate = np.log(reached / best_optimality[-1]) / used
    # The objective too must fall faster per pass: on nearly separable data a Newton-CG
    # step can cut the gradient tenfold and hardly move f, where L-BFGS was still lowering it.
    values = trial.history["objective"]
    span = max(n_iter // 2, 1)
    lbfgs_fall = (values[n_iter - span] - values[n_iter]) / (span * passes_per_iteration)
    newton_fall = (values[n_iter] - values[-1]) / used
    if newton_rate < lbfgs_rate and newton_fall >= lbfgs_fall:
        return newton_cg(trial.coef, budget - used)
    iterations = int((budget - used) / passes_per_iteration)
    if iterations < 1:
        return trial
    return trial.coef, min(iterations, max_iter - trial.n_iter)


# A run is judged only once it has made this many iterations (and half of max_iter), and
# judged too slow when its rate would reach tol only after _SLOW_MARGIN times max_iter.
_PROGRESS_WINDOW = 50
_SLOW_MARGIN = 2.0
# Newton-CG is tried only when the passes left would pay for a trial of this many passes
# (a few Newton steps): with less, the trial cannot show anything, and its steps, of several
# passes each, overran it (max_iter=60 left a trial of one pass).
_MIN_TRIAL_PASSES = 10.0


def _worth_a_trial(objective, max_iter: int, n_iter: int, passes: float) -> bool:
    """Whether a run judged too slow should try Newton-CG: it has a penalty (without one,
    slow progress often means separated classes, whose coefficients run off, and Newton-CG
    steps only blur what the separation check sees) and enough passes left for a trial."""
    per_iteration = max(passes / max(n_iter, 1), 1.0)
    budget = (max_iter - n_iter) * per_iteration
    return objective.l2_strength > 0.0 and _TRIAL_SHARE * budget >= _MIN_TRIAL_PASSES


def _too_slow(best_optimality: list[float], tol: float, max_iter: int) -> bool:
    """Whether a run that has spent half of max_iter would, continuing the fall of its best
    optimality over the second half of its iterations at the same linear rate, reach tol
    only after twice max_iter (``best_optimality[k]``: iteration k's)."""
    iteration = len(best_optimality) - 1
    if iteration < max(_PROGRESS_WINDOW, max_iter // 2) or not tol > 0.0:
        return False
    rate = _rate(best_optimality)
    if not rate < 0.0:
        return True
    return iteration + np.log(tol / best_optimality[-1]) / rate > _SLOW_MARGIN * max_iter


def _rate(best_optimality: list[float]) -> float:
    """The log of the factor by which the best optimality fell per iteration over the second
    half of the run (≤ 0)."""
    iteration = len(best_optimality) - 1
    half = iteration // 2
    return float(np.log(best_optimality[-1] / best_optimality[half]) / max(iteration - half, 1))
