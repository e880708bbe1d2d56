"""Name → solver registry, and the rule behind ``solver="auto"``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._base import SolverResult

SolveFunction = Callable[..., SolverResult]


@dataclass(frozen=True)
class SolverSpec:
    """A registered solver: its function, default iteration budget and what it accepts."""

    name: str
    solve: SolveFunction
    default_max_iter: int
    options: tuple[str, ...] = ()
    handles_l1: bool = False


SOLVERS: dict[str, SolverSpec] = {}

# Dense problems with at most this many coefficients get Newton-Cholesky: one Hessian costs
# n·d² multiply-adds at BLAS speed plus a d³/3 factorisation, repaid by quadratic convergence in
# a handful of iterations (and on large data the solver reuses and subsamples Hessians). Wider
# dense problems with more samples than features get L-BFGS: there a Hessian costs hundreds of
# passes over X, while L-BFGS needs about one pass per iteration, and data with n > d > 1000
# are usually well enough conditioned that it needs few iterations (Newton-CG spends several
# Hessian-vector passes per iteration instead); a run that proves slow, as on heavy-tailed
# columns, goes on with Newton-CG steps (see lbfgs). Sparse problems and problems with fewer
# samples than features get Newton-CG, whose Hessian-vector products cost one pass each and
# whose Jacobi preconditioner copes with the very unequal column scales of sparse data.
# Sparse problems whose Hessian is cheap (see _sparse_hessian_is_cheap) are the exception.
NEWTON_CHOLESKY_MAX_FEATURES = 1000


# A dense X larger than this gets "prox" rather than "cd" for L1 penalties: "cd" reads columns
# from a Fortran-ordered copy of X, which would double the memory held for the data.
CD_MAX_DENSE_COPY_BYTES = 2 << 30


def l1_solver_names() -> list[str]:
    """Names of the registered solvers that handle an L1 (or elastic-net) penalty."""
    return sorted(name for name, spec in SOLVERS.items() if spec.handles_l1)


# For a smooth penalty, the second-order solvers and the shape of data each suits.
_SMOOTH_ALTERNATIVES = (("newton-cholesky", "few features"), ("newton-cg", "many features"))


def solver_advice(name: str, *, l1: bool) -> str:
    """``solver=...`` naming the other solvers that handle the penalty, for warnings."""
    if l1:
        others = [f"'{other}'" for other in l1_solver_names() if other != name]
    else:
        others = [f"'{other}' ({use})" for other, use in _SMOOTH_ALTERNATIVES if other != name]
    return "solver=" + " or ".join(others)


def not_converged_message(name: str, max_iter: int, grad_norm: float, tol: float, *,
                          l1: bool, n_iter: int | None = None) -> str:
    """The ConvergenceWarning text for a solver that ran out of iterations.

    ``l1``: the penalty has an L1 part, so only the solvers that handle it are suggested.
    ``n_iter`` below ``max_iter``: the run ended on the passes over X that its remaining
    iterations stood for (L-BFGS's Newton-CG steps, see lbfgs).
    """
    if n_iter is not None and n_iter < max_iter:
        stopped = (f"stopped after {n_iter} iterations (some of them Newton-CG steps of "
                   f"several passes over X each), having made the passes of max_iter={max_iter}")
    else:
        stopped = f"stopped after max_iter={max_iter} iterations"
    if grad_norm <= tol:
        # The gradient rule held; an unpenalised fit's second condition did not yet.
        return (
            f"solver {name!r} {stopped} with gradient norm {grad_norm:.3g} within tol="
            f"{tol:.3g}, but without a penalty a fit also needs a last Newton step of at most "
            "tol standard errors (L-BFGS: its gradient in standardised coordinates within "
            "tol), which it had not reached yet. Increase max_iter."
        )
    # With an L1 part the measure is the minimum-norm subgradient (the KKT violation), which
    # history_["grad_norm"] also holds.
    measure = "KKT violation (minimum-norm subgradient)" if l1 else "gradient norm"
    return (
        f"solver {name!r} {stopped} with {measure} "
        f"{grad_norm:.3g} > tol={tol:.3g}. Increase max_iter, standardise the features "
        "(sklearn.preprocessing.StandardScaler), strengthen the penalty (smaller C), or try "
        f"{solver_advice(name, l1=l1)}."
    )


def unknown_solver_options(name: str, options) -> str | None:
    """What is wrong with ``options`` for solver ``name`` ("[...] are not options of solver
    ..., its options: ..."), or None when every one of them is an option of it."""
    unknown = set(options or {}) - set(SOLVERS[name].options)
    if not unknown:
        return None
    allowed = ", ".join(SOLVERS[name].options) or "none"
    return f"{sorted(unknown)} are not options of solver {name!r} (its options: {allowed})"


def check_penalty_support(name: str, objective) -> None:
    """Raise ValueError when solver ``name`` cannot minimise ``objective``'s penalty."""
    if getattr(objective, "l1_strength", 0.0) > 0.0 and not SOLVERS[name].handles_l1:
        names = " or ".join(repr(n) for n in l1_solver_names())
        raise ValueError(
            f"solver {name!r} handles only smooth (L2 or no) penalties; an L1 or elastic-net "
            f"penalty needs solver={names} (or solver='auto')."
        )


def register(
    name: str, *, default_max_iter: int, options: tuple[str, ...] = (), handles_l1: bool = False
):
    """Decorator: make ``solve`` available as ``solver=name``.

    ``handles_l1`` declares that the solver minimises f + λ₁‖w‖₁ through
    ``objective.prox``/``optimality(grad, coef)``; the registry refuses an L1 objective for
    every other solver.
    """

    def decorator(solve: SolveFunction) -> SolveFunction:
        @functools.wraps(solve)
        def checked(objective, *args, **kwargs):
            check_penalty_support(name, objective)
            return solve(objective, *args, **kwargs)

        SOLVERS[name] = SolverSpec(name, checked, default_max_iter, options, handles_l1)
        return solve

    return decorator


def select_solver(objective) -> str:
    """The ``solver="auto"`` rule.

    * sparse X → ``"newton-cg"``, or ``"newton-cholesky"`` when n_samples ≥ n_features,
      n_features ≤ 1000 and the first Hessian Newton-Cholesky would build (on its row
      subsample, if the data are tall enough for one) multiplies at most 8 pairs of non-zeros
      per non-zero of X (1 pair once n_features > 255): tall data with few non-zeros per row,
      such as a few one-hot encoded columns;
    * dense X with at least as many samples as features: n_features ≤ 1000 →
      ``"newton-cholesky"``, more features → ``"lbfgs"``;
    * dense X with fewer samples than features → ``"newton-cg"``.

    With an L1 or elastic-net penalty (``objective.l1_strength > 0``):

    * ``"cd"`` (proximal Newton with coordinate descent), which converges in a few passes
      over X and works on the active set only;
    * ``"prox"`` (FISTA) for dense X over 2 GiB, where the column-major copy ``"cd"`` needs
      would double the memory held for the data.
    """
    if getattr(objective, "l1_strength", 0.0) > 0.0:
        if not objective.sparse and objective.X.nbytes > CD_MAX_DENSE_COPY_BYTES:
            return "prox"
        return "cd"
    if objective.n_samples < objective.n_features:
        return "newton-cg"
    if objective.sparse:
        if (objective.n_features <= NEWTON_CHOLESKY_MAX_FEATURES
                and _sparse_hessian_is_cheap(objective)):
            return "newton-cholesky"
        return "newton-cg"
    if objective.n_features <= NEWTON_CHOLESKY_MAX_FEATURES:
        return "newton-cholesky"
    return "lbfgs"


# The CSR Hessian's products per non-zero of X up to which "auto" prefers Newton-Cholesky on
# sparse data: the first while the (d + 1)² matrix they are added to stays in a core's L2
# cache (d up to 255: 512 KiB), the second for larger d, where each product is a cache miss.
SPARSE_HESSIAN_PAIRS_PER_NONZERO = 8.0
SPARSE_HESSIAN_PAIRS_PER_NONZERO_OUT_OF_CACHE = 1.0
_CACHED_GRAM_BYTES = 512 * 1024


def _sparse_hessian_is_cheap(objective) -> bool:
    # A CSR Hessian costs nnzᵢ (nnzᵢ + 1) / 2 multiply-adds per row, scattered over a dense
    # (d + 1)² matrix; one Newton-CG iteration costs a few passes of 2 nnz each. Timed with
    # tol=1e-6 (Newton-Cholesky's time over Newton-CG's, against the pairs per non-zero of the
    # first Hessian): 0.5-0.65 on 1e6-row data with d from 20 to 250, whose subsampled first
    # Hessians multiply 0.5 to 1 pair per non-zero; 0.58 at 0.8 (d = 50); 0.3, 0.64 and 0.76
    # at 7 (one-hot d = 160 with 2e4, 1e5 and 3e5 rows, exact Hessians); 1.55 at 16 (d = 100);
    # 2.2 at 11 (d = 400); 1.5-2 at 5.5 with d = 500 and 1000, whose matrices no longer fit
    # in L2. Rows of zero weight enter neither sum.
    from .newton_cholesky import reuses_hessians, subsample_rows  # imports this module

    row_nnz = np.diff(objective.X.indptr)[objective.sample_weight > 0].astype(np.float64)
    if row_nnz.shape[0] == 0:
        return False
    rows = row_nnz.shape[0]
    if reuses_hessians(objective.n_samples, objective.n_coef):
        subset = subsample_rows(objective)
        rows = rows if subset is None else subset.shape[0]
    pairs = rows * float(np.mean(row_nnz * (row_nnz + 1.0))) / 2.0
    in_cache = 8 * (objective.n_features + 1) ** 2 <= _CACHED_GRAM_BYTES
    budget = (SPARSE_HESSIAN_PAIRS_PER_NONZERO if in_cache
              else SPARSE_HESSIAN_PAIRS_PER_NONZERO_OUT_OF_CACHE)
    return pairs <= budget * row_nnz.sum()
