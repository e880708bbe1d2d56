"""logitfit: binary logistic regression by exact, fused minimisation of the BCE loss."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._cv import LogisticRegressionCV
from ._estimator import LogisticRegression
from ._inference import IllConditionedWarning, Summary
from ._model_format import load
from ._path import RegularizationPath, regularization_path
from ._pipeline import StoredEncoding, load_pipeline
from ._separation import SeparationWarning
from .functional import (
    bce_from_logits,
    bce_gradient,
    bce_hessian,
    bce_loss,
    log_sigmoid,
    sigmoid,
    sigmoid_derivative,
)
from .solvers.newton_cholesky import SingularHessianWarning

try:
    __version__ = version("logitfit")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "IllConditionedWarning",
    "LogisticRegression",
    "LogisticRegressionCV",
    "RegularizationPath",
    "SeparationWarning",
    "SingularHessianWarning",
    "StoredEncoding",
    "Summary",
    "__version__",
    "bce_from_logits",
    "bce_gradient",
    "bce_hessian",
    "bce_loss",
    "load",
    "load_pipeline",
    "log_sigmoid",
    "regularization_path",
    "sigmoid",
    "sigmoid_derivative",
]
