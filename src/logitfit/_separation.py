"""Detecting separation: when the unpenalised maximum-likelihood estimate does not exist.

Maths
-----
Write x̃ᵢ = [xᵢ, 1] (the 1 only with an intercept) and aᵢ = ỹᵢ x̃ᵢ with ỹᵢ = +1 for yᵢ = 1 and
-1 for yᵢ = 0. Along a direction β every term of the likelihood with aᵢ·β > 0 increases to its
supremum as t → ∞ in θ + tβ, and no term decreases when aᵢ·β ≥ 0 for all i. Hence
(Albert & Anderson 1984) the unpenalised optimum does not exist exactly when a direction

    β ≠ 0  with  aᵢ·β ≥ 0 for every row  and  aᵢ·β > 0 for at least one row

exists: *quasi-complete* separation, or *complete* separation when every aᵢ·β > 0. Following
Konis (2007) this is the linear programme

    maximise  Σᵢ aᵢ·β   subject to  aᵢ·β ≥ 0  (every row with sᵢ > 0),   -1 ≤ βⱼ ≤ 1

whose optimum is 0 exactly when there is no separation, and otherwise gives a separating
direction β*. Rows with a soft label 0 < yᵢ < 1 contribute both signs, so they force
x̃ᵢ·β = 0. Columns are scaled by their largest magnitude (among the rows of the first LP) so
that the box treats all features alike; the non-zero entries of β* name the coefficients that
diverge. Whether the classes are completely separated is a second, smaller LP: the rows that
β* leaves on the boundary (aᵢ·β* = 0) must be strictly separable on their own.

For large n the programme is solved by *row generation*: an LP over a few hundred rows (the
ones worst predicted by the current coefficients, which carry the overlap between the classes)
is a relaxation of the full one. If its optimum is 0, so is the full optimum; if its solution
satisfies every row's constraint (checked in one pass over X), it solves the full programme.
Otherwise the most violated rows are added and the LP is solved again. Both answers are exact
(up to the LP tolerances), and a handful of passes over X suffice in practice.

Divergence monitor
------------------
Running the programme after every unpenalised fit would cost more than the fit on small data
(``LogisticRegression.summary`` runs it for unpenalised fits that were not checked),
so :class:`SeparationMonitor` watches the solver through its callback instead: the coefficients
of a separated problem grow without bound along a fixed direction, and the steps grow relative
to the gradient that produced them (the Hessian weights of the separated rows vanish, so the
solver's curvature model flattens: a Newton step stays about constant while the gradient falls
by a factor e per iteration). A healthy solve approaches a finite optimum, where that ratio
settles at the inverse curvature. When it sees the pattern for three iterations, or when a
fit is still running after 64 iterations, it runs the exact check once, and stops the solver
if the check finds separation. A negative check is final (separation is a property of the
data), so the monitor then goes quiet.

Wide problems
-------------
With more than MAX_CHECKED_COEFS (201) coefficients the programme over all of them grows too
expensive (HiGHS needs seconds at 500 and minutes at 1000). Two cheaper checks replace it:
complete separation is certified, with no programme, when the coefficients in hand already
predict every row on its side of the boundary (then θ itself separates them); and
:func:`find_separation_wide` restricts the programme to the coefficients that can carry a
separating direction. A diverging fit keeps the rows that β leaves on the boundary at moderate
margins, and β is orthogonal to them; so the null space of the design of the rows with the
smallest margins (one Gram matrix and a pivoted Cholesky factorisation) holds β, and its
support, usually a handful of coefficients, is where the exact programme looks. A certificate
from it is exact; a negative answer is not final, so the monitor tries again as the fit goes on
(at doubling iterations), and after a converged fit whose last step still moved its confident
rows outwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.optimize import linprog

from ._errors import first_few

# A converged unpenalised fit with a logit beyond this is checked for separation. A fit that
# meets tol on separated data leaves the separated rows at |z| ≈ ln(n_separated / (n tol)),
# about 10 to 16 at the default tol: the check must see them there. Finite optima rarely
# have such rows, and when they do the check costs only time.
_SUSPICIOUS_LOGIT = 10.0
# A converged fit's last step that moves such a row's logit outwards by more than this is
# still diverging (see SeparationMonitor.check_converged).
_DIVERGING_STEP = 0.05
# Rows in the first relaxation, per coefficient, and rows added per round.
_ROWS_PER_COEF = 4
_MIN_ROWS = 400
# Full problems up to this many matrix entries are solved in one LP.
_DIRECT_LP_ENTRIES = 200_000
_MAX_ROUNDS = 50
# The LPs grow expensive with the number of coefficients (HiGHS needs about 0.5 s for 800 rows
# x 201 columns, minutes for 4000 x 1001); wider problems are not checked.
MAX_CHECKED_COEFS = 201
# A separating direction must beat this (in units of the scaled data) on Σ aᵢ·β; the
# constraint check allows the LP solver's feasibility tolerance.
_OBJECTIVE_TOL = 1e-6
_FEASIBILITY_TOL = 1e-7
# Coefficients whose share of the separating direction (in max-scaled units) is below this
# are left out of it; below _NAMING_TOL they are not named as separating features either
# (at 1e-3 of the largest they move no margin by more than a thousandth).
_DIRECTION_TOL = 1e-6
_NAMING_TOL = 1e-3
# Under complete separation, coefficients below this share of the max-margin direction are
# tried for removal, at most _MAX_PRUNE of them.
_PRUNE_BELOW = 0.25
_MAX_PRUNE = 10
# Margin thresholds T tried by find_separation_wide, in logit units, lowest first.
_WIDE_THRESHOLDS = (0.0, 1.0, 2.0, 3.0, 4.5, 6.0, 8.0, 10.0, 13.0, 17.0, 22.0, 30.0)
# Pivots of the unit-diagonal Gram matrix below this count as zero (a column whose share
# outside the span of the others is below 1e-5 of its norm); and a column takes part in a
# dependency with a coefficient above _DEPENDENCE_TOL. Both only decide which coefficients
# the exact programme may use: too generous costs time, never a false certificate.
_RANK_TOL = 1e-10
_DEPENDENCE_TOL = 1e-8
# ... and only for problems this narrow (each attempt is an LP over all columns).
_PRUNE_MAX_COEFS = 51


class SeparationWarning(UserWarning):
    """The classes are (quasi-)completely separated: the unpenalised optimum does not exist."""


@dataclass(frozen=True)
class Separation:
    """A certificate of separation.

    Attributes
    ----------
    kind : {"complete", "quasi-complete"}
        "complete" when some direction predicts every row perfectly in the limit.
    coef_index : tuple of int
        Positions in θ = [w, b] (intercept last) of the coefficients without a finite
        estimate: the support of the separating direction for quasi-complete separation,
        every coefficient for complete separation (the likelihood then approaches its
        supremum whatever the coefficients outside the direction are).
    features : tuple of int
        Positions in θ of the coefficients that separate: the entries of ``direction`` of at
        least 1e-3 of the largest (in max-scaled units).
    direction : ndarray of shape (n_coef,)
        A separating direction β (in the units of the original features): moving θ along it
        never lowers the likelihood and raises it without bound. For complete separation it
        strictly separates every row, with the coefficients that the separation does not
        need removed (see ``_fewest_features``; up to 51 coefficients).
    n_separated : int
        Rows with aᵢ·β > 0: the rows predicted perfectly in the limit.
    """

    kind: str
    coef_index: tuple[int, ...]
    features: tuple[int, ...]
    direction: np.ndarray
    n_separated: int


def _column_scale(rows: np.ndarray) -> np.ndarray:
    # max |xᵢⱼ| per column over the rows the first LP sees; 1 for columns that are zero there.
    # Any fixed positive scaling gives the same cone of separating directions; this one makes
    # the box treat the features alike without an extra pass over X.
    scale = np.abs(rows).max(axis=0, initial=0.0)
    scale[~(scale > 0)] = 1.0
    return scale


class _Problem:
    """The constraints aᵢ·β ≥ 0 of one objective, evaluated on demand.

    With ``columns`` (sorted positions in θ = [w, b]) the direction β has only those entries
    (the others are held at 0): the programme is then a restriction of the full one, so a
    separating direction it finds separates the full problem too.
    """

    def __init__(self, objective, columns: np.ndarray | None = None):
        self.objective = objective
        X = objective.X
        self.X = X
        n_features = objective.n_features
        if columns is None:
            self.feature_columns = None
            self.fit_intercept = objective.fit_intercept
            self.n_coef = objective.n_coef
        else:
            self.columns = np.asarray(columns, dtype=np.intp)
            self.feature_columns = self.columns[self.columns < n_features]
            self.fit_intercept = objective.fit_intercept and bool(
                np.any(self.columns == n_features))
            self.n_coef = self.columns.size
        n_scaled = n_features if self.feature_columns is None else self.feature_columns.size
        self.scale = np.ones(n_scaled)
        y = objective.y
        # sign: +1 for y = 1, -1 for y = 0, 0 for soft labels (they constrain both ways).
        self.sign = 2.0 * y - 1.0
        soft = (y > 0.0) & (y < 1.0)
        self.soft = np.flatnonzero(soft) if soft.any() else None
        if self.soft is not None:
            self.sign[self.soft] = 0.0
        active = objective.sample_weight > 0
        self.inactive = None if active.all() else np.flatnonzero(~active)
        self.active = active

    def _feature_rows(self, index: np.ndarray) -> np.ndarray:
        block = self.X[index]
        if self.feature_columns is not None:
            block = block[:, self.feature_columns]
        return np.asarray(block.toarray() if sp.issparse(block) else block, dtype=np.float64)

    def set_scale(self, index: np.ndarray) -> None:
        """Fix the column scaling from the given rows (before the first LP)."""
        self.scale = _column_scale(self._feature_rows(index))

    def design_rows(self, index: np.ndarray) -> np.ndarray:
        """Scaled x̃ᵢ for the given rows, shape (len(index), n_coef)."""
        rows = self._feature_rows(index) / self.scale
        if self.fit_intercept:
            rows = np.column_stack([rows, np.ones(len(index))])
        return rows

    def full_coef(self, beta: np.ndarray) -> np.ndarray:
        """β (scaled, n_coef entries) as coefficients θ of the objective, shape (n_coef of θ,)."""
        n_scaled = self.scale.size
        if self.feature_columns is None:
            coef = beta.copy()
            coef[:n_scaled] /= self.scale
            return coef
        coef = np.zeros(self.objective.n_coef)
        coef[self.feature_columns] = beta[:n_scaled] / self.scale
        if self.fit_intercept:
            coef[-1] = beta[-1]
        return coef

    def positions(self, index) -> np.ndarray:
        """Positions in θ of the given entries of β."""
        index = np.asarray(index, dtype=np.intp)
        return index if self.feature_columns is None else self.columns[index]

    def margins(self, beta: np.ndarray) -> np.ndarray:
        """aᵢ·β for every row (soft-label rows give -|x̃ᵢ·β|, inactive rows +inf)."""
        return self.margins_of(self.objective.linear_predictor(self.full_coef(beta)))

    def margins_of(self, z: np.ndarray) -> np.ndarray:
        """aᵢ·β from the linear predictor zᵢ = x̃ᵢ·β."""
        margin = self.sign * z
        if self.soft is not None:
            margin[self.soft] = -np.abs(z[self.soft])
        if self.inactive is not None:
            margin[self.inactive] = np.inf
        return margin

    def total_direction(self) -> np.ndarray:
        """c = Σᵢ aᵢ over active, hard-labelled rows (scaled columns): the LP objective."""
        signs = self.sign if self.inactive is None else np.where(self.active, self.sign, 0.0)
        c = np.asarray(self.X.T @ signs).ravel()
        if self.feature_columns is not None:
            c = c[self.feature_columns]
        c = c / self.scale
        return np.append(c, signs.sum()) if self.fit_intercept else c

    def solve_lp(self, index: np.ndarray, c: np.ndarray | None, *,
                 margin_variable: bool = False, excluded=()):
        """LP over the given rows; returns (optimum, β).

        Without ``margin_variable``: maximise c·β subject to aᵢ·β ≥ 0 (the separation
        programme). With it: maximise t subject to aᵢ·β ≥ t, t ≤ 1 (strict separation of
        these rows); the returned β then has t appended. Coefficients in ``excluded`` are
        held at 0.
        """
        rows = self.design_rows(index)
        signs = self.sign[index]
        hard = signs != 0.0
        blocks = [-(signs[hard, None] * rows[hard])]
        if not hard.all():
            soft = rows[~hard]
            blocks += [soft, -soft]
        a_ub = np.vstack(blocks)
        bounds = [(0.0, 0.0) if j in excluded else (-1.0, 1.0) for j in range(self.n_coef)]
        if margin_variable:
            a_ub = np.column_stack([a_ub, np.ones(a_ub.shape[0])])
            c = np.append(np.zeros(self.n_coef), 1.0)
            bounds.append((None, 1.0))
        result = linprog(-c, A_ub=a_ub, b_ub=np.zeros(a_ub.shape[0]), bounds=bounds,
                         method="highs")
        if result.status != 0:  # cannot happen: β = 0 is feasible and the box bounds it
            raise RuntimeError(f"separation check: the LP solver failed ({result.message})")
        return -float(result.fun), np.asarray(result.x)


def _violated(margin: np.ndarray, pool: np.ndarray) -> np.ndarray:
    values = margin[pool]
    return pool[values < -_FEASIBILITY_TOL * (1.0 + np.abs(values))]


def _row_generation(problem: _Problem, pool: np.ndarray, start: np.ndarray, solve, margins):
    """Solve an LP whose constraints are the rows in ``pool`` by adding violated rows.

    ``solve(index)`` solves the relaxation over some rows and returns (optimum, β);
    ``margins(β)`` returns every row's constraint slack (one pass over X). Returns
    (optimum, β, slack) with slack None when the optimum is ≤ 0 (nothing to certify).
    """
    batch = max(_MIN_ROWS, _ROWS_PER_COEF * problem.n_coef)
    index = start
    for _ in range(_MAX_ROUNDS):
        value, beta = solve(index)
        if value <= _OBJECTIVE_TOL:
            return value, beta, None
        slack = margins(beta)
        violated = _violated(slack, pool)
        if violated.size == 0:
            return value, beta, slack
        index = np.union1d(index, violated[np.argsort(slack[violated])[:batch]])
    # The relaxations keep finding directions that the full data rules out: solve it whole.
    value, beta = solve(pool)
    return value, beta, (margins(beta) if value > _OBJECTIVE_TOL else None)


def can_check(objective) -> bool:
    """Whether :func:`find_separation` is affordable: at most MAX_CHECKED_COEFS coefficients."""
    return objective.n_coef <= MAX_CHECKED_COEFS


def complete_separation_at(objective, coef: np.ndarray) -> Separation | None:
    """A certificate of complete separation by ``coef`` itself, or None.

    When every row of non-zero weight has a hard label and a logit zᵢ = xᵢ·w + b of its own
    sign (beyond _FEASIBILITY_TOL), θ separates the classes: the likelihood rises without
    bound along it. Costs no programme (the logits of the last pass are reused), so it serves
    problems too wide for :func:`find_separation`; it cannot see quasi-complete separation.
    """
    problem = _Problem(objective)
    if problem.soft is not None:
        return None
    margin = problem.margins_of(objective.logits(coef))
    active = problem.active
    if not active.any() or not np.all(margin[active] > _FEASIBILITY_TOL):
        return None
    _, mean_square = objective.column_moments()
    size = np.abs(coef)
    size[:objective.n_features] *= np.sqrt(np.nan_to_num(mean_square))
    features = tuple(int(j) for j in np.flatnonzero(size >= _NAMING_TOL * size.max()))
    return Separation("complete", tuple(range(objective.n_coef)), features,
                      np.array(coef, dtype=np.float64, copy=True),
                      int(np.count_nonzero(active)))


def find_separation(objective, coef: np.ndarray | None = None, *,
                    logits: np.ndarray | None = None,
                    columns: np.ndarray | None = None) -> Separation | None:
    """Return a :class:`Separation` certificate, or None when the optimum exists.

    Only for problems where :func:`can_check` holds (the LPs grow with n_coef), or with
    ``columns`` of at most MAX_CHECKED_COEFS entries.

    Parameters
    ----------
    objective : BCEObjective
        The data (X, y, sample weights, intercept flag); the penalty is ignored.
    coef : ndarray of shape (n_coef,), default=None
        Current coefficients; the rows they predict worst start the row generation.
    logits : ndarray of shape (n_samples,), default=None
        X w + b at ``coef`` when the caller has them (saves a pass over X).
    columns : ndarray of int, default=None
        Sorted positions in θ: look for separating directions among these coefficients
        only (the others held at 0). None is exact; with ``columns`` a certificate is
        still exact, but None then only says that these coefficients do not separate.

    Returns
    -------
    Separation or None
    """
    problem = _Problem(objective, columns)
    pool = np.flatnonzero(problem.active)
    batch = max(_MIN_ROWS, _ROWS_PER_COEF * problem.n_coef)
    if pool.size * problem.n_coef <= _DIRECT_LP_ENTRIES:
        start = pool
    else:
        # Worst-predicted rows first: they hold the overlap that bounds the programme.
        if logits is None:
            logits = objective.linear_predictor(
                np.zeros(objective.n_coef) if coef is None else coef)
        start = np.argpartition(problem.margins_of(logits), batch)[:batch]
    problem.set_scale(start)
    c = problem.total_direction()
    value, beta, margin = _row_generation(
        problem, pool, start, lambda index: problem.solve_lp(index, c), problem.margins
    )
    if margin is None:
        return None
    separated = margin[pool] > _FEASIBILITY_TOL
    n_separated = int(np.count_nonzero(separated))
    if n_separated == 0:
        return None
    # Complete separation: the rows on the boundary of β (margin 0) must be strictly
    # separable on their own; then β plus a small multiple of that direction separates all.
    boundary = pool[~separated]
    complete = boundary.size == 0
    if not complete:
        def strict_margins(extended):
            return problem.margins(extended[:-1]) - extended[-1]

        start = boundary[:batch] if boundary.size > batch else boundary
        t, _, strict = _row_generation(
            problem, boundary, start,
            lambda index: problem.solve_lp(index, c, margin_variable=True), strict_margins,
        )
        complete = strict is not None and t > _OBJECTIVE_TOL
    if complete and problem.n_coef <= _PRUNE_MAX_COEFS:
        beta = _fewest_features(problem, pool, pool[np.argsort(margin[pool])[:batch]], beta)
        n_separated = int(pool.size)
    size = np.abs(beta)
    support = size > _DIRECTION_TOL * size.max()
    features = tuple(int(j) for j in problem.positions(
        np.flatnonzero(size >= _NAMING_TOL * size.max())))
    direction = problem.full_coef(np.where(support, beta, 0.0))
    if complete:
        return Separation("complete", tuple(range(objective.n_coef)), features, direction,
                          n_separated)
    diverging = tuple(int(j) for j in problem.positions(np.flatnonzero(support)))
    return Separation("quasi-complete", diverging, features, direction, n_separated)


def _dependent_columns(gram: np.ndarray) -> np.ndarray | None:
    """Positions of the columns involved in the null space of a Gram matrix XᵀX, or None
    when it has full rank.

    A pivoted Cholesky factorisation (LAPACK's pstrf) of the Gram matrix scaled to a unit
    diagonal gives its numerical rank r and, from the factor's blocks U₁₁ and U₁₂, a basis
    [-U₁₁⁻¹U₁₂; I] of its null space: the columns pivoted last, and those that their
    dependencies use. Columns that are zero on every row are null by themselves.
    """
    diagonal = np.diag(gram).copy()
    zero = ~(diagonal > 0.0)
    kept = np.flatnonzero(~zero)
    root = np.sqrt(diagonal[kept])
    scaled = gram[np.ix_(kept, kept)] / root[:, None] / root[None, :]
    factor, pivots, rank, _ = scipy.linalg.lapack.dpstrf(scaled, tol=_RANK_TOL, lower=0)
    pivots = pivots - 1  # LAPACK counts from 1
    if rank == kept.size and not zero.any():
        return None
    involved = [np.flatnonzero(zero), kept[pivots[rank:]]]
    if 0 < rank < kept.size:
        upper = np.triu(factor[:rank, :rank])
        coefficients = scipy.linalg.solve_triangular(upper, factor[:rank, rank:])
        involved.append(kept[pivots[:rank][np.max(np.abs(coefficients), axis=1)
                                           > _DEPENDENCE_TOL]])
    return np.unique(np.concatenate(involved))


def find_separation_wide(objective, coef: np.ndarray, *,
                         logits: np.ndarray | None = None) -> Separation | None:
    """Look for separation along the directions that the coefficients ``coef`` diverge in,
    on problems too wide for :func:`find_separation` over all coefficients.

    A separating direction β of a quasi-completely separated problem is orthogonal to the
    rows it leaves on the boundary, aᵢ·β = 0: the rows a diverging fit keeps predicting
    with moderate or wrong margins. So the rows with the smallest margins at ``coef`` (below
    a threshold T) span the constraints that pin every identified coefficient, and the
    separating directions lie in the null space of their design. Its support J (found from
    one Gram matrix of those rows, a Hessian's cost) is then searched by the exact programme
    over the coefficients J only, with every row's constraint: a certificate it returns is
    exact. T starts low (rows with margin ≤ 0: no diverging row has those once the fit has
    moved along β) and rises through _WIDE_THRESHOLDS while J has more than
    MAX_CHECKED_COEFS entries (too few rows below T to pin the rest); it stops when the rows
    below T leave no null space (nothing diverges along directions they allow).

    Returns None when no separation is found; unlike :func:`find_separation` that does not
    prove that the optimum exists (rows that diverge slowly may still sit below T).
    Complete separation by ``coef`` itself is :func:`complete_separation_at`'s.

    Parameters
    ----------
    objective : BCEObjective
    coef : ndarray of shape (n_coef,)
        The solver's current coefficients.
    logits : ndarray of shape (n_samples,), default=None
        X w + b at ``coef`` when the caller has them.

    Returns
    -------
    Separation or None
    """
    problem = _Problem(objective)
    if logits is None:
        logits = objective.logits(coef)
    margin = problem.margins_of(np.array(logits, dtype=np.float64))
    order = np.argsort(margin, kind="stable")
    ordered = margin[order]
    n_active = int(np.count_nonzero(problem.active))
    gram = np.zeros((objective.n_coef, objective.n_coef))
    start = 0
    for threshold in _WIDE_THRESHOLDS:
        stop = int(np.searchsorted(ordered, threshold, side="right"))
        if stop >= n_active:  # every row below T: no row can move along the null space
            return None
        if stop == start:
            continue
        rows = np.sort(order[start:stop]).astype(np.int64)
        start = stop
        gram += objective.weighted_gram(np.ones(rows.size), rows)
        columns = _dependent_columns(gram)
        if columns is None:
            return None
        if columns.size <= MAX_CHECKED_COEFS:
            return find_separation(objective, coef, logits=logits, columns=columns)
    return None


def _strict_direction(problem: _Problem, pool: np.ndarray, start: np.ndarray, excluded):
    """A direction with aᵢ·β > 0 for every row in ``pool`` using no ``excluded`` coefficient,
    or None when there is none."""
    def strict_margins(extended):
        return problem.margins(extended[:-1]) - extended[-1]

    t, extended, slack = _row_generation(
        problem, pool, start,
        lambda index: problem.solve_lp(index, None, margin_variable=True, excluded=excluded),
        strict_margins,
    )
    return extended[:-1] if slack is not None and t > _OBJECTIVE_TOL else None


def _fewest_features(problem: _Problem, pool, start, beta):
    """Under complete separation, drop coefficients that the separation does not need.

    A vertex of the separation programme may use coefficients with tiny weights that merely
    help it; to name the features that separate, coefficients are removed one at a time
    (smallest weight in the max-margin direction first) as long as the rest still separates
    every row strictly. At most _MAX_PRUNE attempts, each an exact (row-generation) LP, and
    only for up to _PRUNE_MAX_COEFS coefficients.
    """
    strict = _strict_direction(problem, pool, start, ())
    if strict is None:  # tolerances disagree at the margin: keep the first direction
        return beta
    excluded: set[int] = set()
    size = np.abs(strict)
    candidates = [j for j in np.argsort(size) if 0 < size[j] < _PRUNE_BELOW * size.max()]
    for j in candidates[:_MAX_PRUNE]:
        trial = _strict_direction(problem, pool, start, excluded | {int(j)})
        if trial is not None:
            excluded.add(int(j))
            strict = trial
    return strict


def separation_message(separation: Separation, names: list[str], *, stopped: bool) -> str:
    """The warning text: which features separate, what it means and what to do about it."""
    shown = [names[j] for j in separation.features]
    listed = first_few(shown)
    by = f"by {listed}" if len(shown) == 1 else f"by a combination of {listed}"
    if separation.kind == "complete":
        what = (f"The classes are completely separated {by}: every sample is predicted "
                "perfectly in the limit, so the unpenalised maximum-likelihood estimate does "
                "not exist and none of the coefficients is identified.")
    else:
        what = (f"The classes are quasi-completely separated {by}: "
                f"{separation.n_separated} sample(s) are predicted perfectly in the limit, so "
                "the unpenalised maximum-likelihood estimate does not exist and these "
                "coefficients grow without bound.")
    return (
        what + (" The fit was stopped early." if stopped else "")
        + " Use a penalty (penalty='l2' with a finite C), or remove or merge the separating "
        "features."
    )


def _norm(vector: np.ndarray) -> float:
    """The Euclidean norm, scaled as BLAS's nrm2 computes it (no overflow of the squares)."""
    return float(scipy.linalg.blas.dnrm2(vector))


class SeparationMonitor:
    """Solver callback that stops an unpenalised fit once separation is certified.

    Parameters
    ----------
    objective : BCEObjective
    inner : callable, default=None
        Another callback to call first (for example the progress printer).
    """

    # Iterations before the pattern is considered at all, and how long it must last. A fit
    # still running after _LONG iterations is checked whatever its pattern (first-order
    # solvers zig-zag); by then one check costs a few per cent of the passes already made.
    _MIN_ITER = 4
    _RUN = 3
    _LONG = 64

    def __init__(self, objective, inner=None):
        self.objective = objective
        self.inner = inner
        self.checked = False
        self.enabled = can_check(objective)
        self.separation: Separation | None = None
        self._previous: np.ndarray | None = None
        self._previous_step: np.ndarray | None = None
        self._previous_grad = 0.0
        self._reach = math.inf
        self._run = 0
        # For problems too wide for the exact check: whether the fit showed the divergence
        # pattern (or ran long), and the iteration from which find_separation_wide may run
        # again (its negative answers are not final; each costs about a Hessian).
        self.suspected = False
        self._iteration = 0
        self._next_wide = 0

    def __call__(self, info) -> bool:
        stop = bool(self.inner(info)) if self.inner is not None else False
        if self.checked:
            return stop
        coef = np.array(info.coef, dtype=np.float64, copy=True)
        if self._previous is not None:
            step = coef - self._previous
            # BLAS's scaled norms: coefficients near 1e158 (features near 1e-158) overflow
            # when squared, as numpy's norm squares them.
            step_norm = _norm(step)
            # Step length per unit of the gradient it came from: bounded by the inverse
            # curvature when the optimum exists, growing without bound (as the Hessian weights
            # of the separated rows vanish) when it does not.
            reach = step_norm / max(self._previous_grad, np.finfo(float).tiny)
            diverging = (
                self._previous_step is not None
                and _norm(coef) > _norm(self._previous)
                and step_norm > 0.0
                and float((step / step_norm) @ (self._previous_step
                                                / max(_norm(self._previous_step),
                                                      np.finfo(float).tiny))) > 0.8
                and reach > 1.5 * self._reach
            )
            self._run = self._run + 1 if diverging else 0
            self._previous_step = step
            self._reach = reach
        self._previous = coef
        self._previous_grad = float(info.grad_norm)
        self._iteration = info.iteration
        if info.iteration >= self._MIN_ITER and (
            self._run >= self._RUN or info.iteration >= self._LONG
        ):
            self.suspected = True
            return self.check(coef, final=False) is not None or stop
        return stop

    def check(self, coef: np.ndarray, *, final: bool = True) -> Separation | None:
        """Run the exact check once (later calls return the first answer).

        A problem too wide for it gets :func:`complete_separation_at` at every call until
        it finds separation (coefficients that do not separate yet may later), and, once
        the fit is suspected of diverging, :func:`find_separation_wide`: during the fit at
        iterations that double (its cost stays a small share of the fit's), and at the
        ``final`` call after the fit.
        """
        if self.checked:
            return self.separation
        if self.enabled:
            self.separation = find_separation(self.objective, coef)
            self.checked = True
            return self.separation
        separation = complete_separation_at(self.objective, coef)
        if separation is None and self.suspected and (final
                                                      or self._iteration >= self._next_wide):
            self._next_wide = 2 * self._iteration
            separation = find_separation_wide(self.objective, coef)
        self.separation = separation
        self.checked = separation is not None
        return self.separation

    def check_converged(self, coef: np.ndarray) -> Separation | None:
        """After a fit that met its tolerance: run the exact check if some logit exceeds
        ``_SUSPICIOUS_LOGIT`` in magnitude.

        On separated data the gradient vanishes as the coefficients diverge, so a solver can
        meet its tolerance before the divergence pattern shows (Newton-CG and L-BFGS do, in
        a few dozen iterations): the rows it then predicts with logits beyond ±10 are the
        sign. A problem too wide for the exact check is searched with
        :func:`find_separation_wide` only if the fit was suspected of diverging or its last
        step still moved such a row outwards by more than ``_DIVERGING_STEP``: at a finite
        optimum the last step moves no logit by more than about tol.
        """
        if self.checked:
            return self.separation
        logits = self.objective.logits(coef)
        if not (logits.size and float(np.max(np.abs(logits))) > _SUSPICIOUS_LOGIT):
            return None
        if not self.enabled and not self.suspected and self._previous_step is not None:
            self.suspected = self._still_diverging(logits)
        return self.check(coef)

    def _still_diverging(self, logits: np.ndarray) -> bool:
        objective = self.objective
        sign = 2.0 * objective.y - 1.0
        # Hard-labelled rows of positive weight predicted on their side beyond ±10 ...
        confident = (np.abs(sign) == 1.0) & (objective.sample_weight > 0) & (
            sign * logits > _SUSPICIOUS_LOGIT)
        if not confident.any():
            return False
        # ... that the last step moved further out: its Δz = X Δw + Δb, one pass over X.
        change = objective.linear_predictor(self._previous_step)
        return bool(np.max((sign * change)[confident]) > _DIVERGING_STEP)
