"""scikit-learn's own estimator checks, none skipped by logitfit.

scikit-learn itself skips one: ``check_array_api_input`` runs only when the environment sets
SCIPY_ARRAY_API=1 and the estimator declares array-API support, which LogisticRegression does
not (it computes with numba kernels on NumPy and SciPy arrays).
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from logitfit import LogisticRegression


@parametrize_with_checks([LogisticRegression()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
