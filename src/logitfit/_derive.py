"""The derivation of the BCE gradient, equations (1)-(12) of the seed, checked step by step.

Each :class:`Step` states one equality of the derivation as two SymPy expressions. It is
verified twice: symbolically (SymPy simplifies the difference to zero) and numerically (both
sides evaluated at random points agree to rounding). Where the package implements the
quantity, the step also compares the formula with logitfit's own function at those points, so
the check ties the derivation to the code that is run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Step:
    """One equation of the derivation: a chain of expressions that are all equal."""

    number: str
    title: str
    text: str
    display: str
    chain: list
    symbols: tuple
    implementation: tuple[str, Callable] | None = None  # (name, f(*symbol values)) = chain[0]


@dataclass
class StepResult:
    """The outcome of checking one step."""

    number: str
    title: str
    text: str
    equation: str
    symbolic: bool
    numeric_error: float
    implementation: str | None
    implementation_error: float | None

    @property
    def ok(self) -> bool:
        tolerance = 1e-12
        return self.symbolic and self.numeric_error <= tolerance and (
            self.implementation_error is None or self.implementation_error <= tolerance)

    def to_dict(self) -> dict:
        return {**self.__dict__, "ok": self.ok}


def steps(n_features: int = 3) -> list[Step]:
    """The derivation as chains of SymPy expressions, for a model with ``n_features`` inputs.

    Parameters
    ----------
    n_features : int, default=3
        k in eq. (3); the vector steps are checked for this many weights plus w₀.

    Returns
    -------
    list of Step
    """
    import sympy as s

    from . import functional

    y, yhat, z = s.symbols("y yhat z", real=True)
    k = n_features
    w = s.symbols(f"w0:{k + 1}", real=True)
    x = s.symbols(f"x1:{k + 1}", real=True)
    e = s.exp(-z)
    sigma = 1 / (1 + e)
    D = s.Derivative
    loss_of_yhat = -(y * s.log(yhat) + (1 - y) * s.log(1 - yhat))  # (1)
    z_of_w = w[0] + sum(xi * wi for xi, wi in zip(x, w[1:], strict=True))  # (3)
    loss_of_w = loss_of_yhat.subs(yhat, sigma).subs(z, z_of_w)
    W, X = s.Matrix(w), s.Matrix((1, *x))  # x₀ = 1 multiplies the intercept w₀

    def vector(fn):
        return s.Matrix([fn(j) for j in range(k + 1)])

    def scalar(fn):
        return lambda *a: float(np.asarray(fn(*a)).reshape(-1)[0])

    def implementation_gradient(yv, *wx):
        wv, xv = np.asarray(wx[:k + 1]), np.asarray(wx[k + 1:])
        grad_w, grad_b = functional.bce_gradient(xv.reshape(1, -1), np.array([yv]), wv[1:],
                                                 wv[0], reduction="sum")
        return np.r_[grad_b, grad_w]  # W = (w₀, w₁, ..., w_k): the intercept first

    dL_dyhat = s.diff(loss_of_yhat, yhat)
    return [
        Step("1", "The loss",
             "The binary cross-entropy of a prediction ŷ for a label y. Put in terms of the "
             "logit z (ŷ = σ(z), eq. 2) it equals softplus(z) - y·z, the stable form that "
             "logitfit evaluates.",
             "L = -[y log ŷ + (1 - y) log(1 - ŷ)] = log(1 + e^z) - y z",
             [loss_of_yhat.subs(yhat, sigma), s.log(1 + s.exp(z)) - y * z], (y, z),
             ("logitfit.bce_from_logits", scalar(lambda yv, zv: functional.bce_from_logits(
                 np.array([zv]), np.array([yv]))))),
        Step("2", "The sigmoid",
             "The prediction is the logistic sigmoid of the logit.",
             "ŷ = σ(z) = 1 / (1 + e^(-z))",
             [sigma, s.exp(z) / (1 + s.exp(z))], (z,),
             ("logitfit.sigmoid", scalar(lambda zv: functional.sigmoid(np.array([zv]))))),
        Step("3", "The logit",
             "z is linear in the weights, w₀ + x₁w₁ + ... + x_k w_k: the inner product of "
             "W = (w₀, ..., w_k) with x = (1, x₁, ..., x_k).",
             "z = w₀ + x₁w₁ + ... + x_k w_k = Wᵀx",
             [z_of_w, (W.T * X)[0]], (*w, *x)),
        Step("4", "The chain rule",
             "The derivative of the composite loss L(σ(z(W))) in each weight w_j is the "
             "product ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂w_j, each factor taken along the composition.",
             "∂L/∂W = ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂W",
             [vector(lambda j: D(loss_of_w, w[j])),
              vector(lambda j: (dL_dyhat.subs(yhat, sigma) * s.diff(sigma, z)).subs(z, z_of_w)
                     * s.diff(z_of_w, w[j]))],
             (y, *w, *x)),
        Step("5", "The first factor, ∂L/∂ŷ",
             "Differentiating (1) in ŷ gives -(y/ŷ - (1-y)/(1-ŷ)), which over the common "
             "denominator ŷ(1 - ŷ) is (ŷ - y)/(ŷ(1 - ŷ)).",
             "∂L/∂ŷ = -(y/ŷ - (1 - y)/(1 - ŷ)) = (ŷ - y) / (ŷ(1 - ŷ))",
             [D(loss_of_yhat, yhat), -(y / yhat - (1 - y) / (1 - yhat)),
              (yhat - y) / (yhat * (1 - yhat))], (y, yhat)),
        Step("6", "The second factor, ∂ŷ/∂z",
             "Write σ as a power, (1 + e^(-z))^(-1), to differentiate it.",
             "∂ŷ/∂z = ∂/∂z [1 / (1 + e^(-z))] = ∂/∂z (1 + e^(-z))^(-1)",
             [D(sigma, z), D((1 + e) ** -1, z)], (z,)),
        Step("7", "Power rule and chain rule",
             "The power rule, times the derivative -e^(-z) of the inner function, gives "
             "e^(-z)/(1 + e^(-z))².",
             "∂/∂z (1 + e^(-z))^(-1) = -(1 + e^(-z))^(-2) · (-e^(-z)) = e^(-z) / (1 + e^(-z))²",
             [D((1 + e) ** -1, z), -(1 + e) ** -2 * (-e), e / (1 + e) ** 2], (z,)),
        Step("8", "Split the fraction",
             "Factor out σ(z) = 1/(1 + e^(-z)) and write e^(-z) as (1 + e^(-z)) - 1.",
             "e^(-z) / (1 + e^(-z))² = 1/(1 + e^(-z)) · e^(-z)/(1 + e^(-z))"
             " = 1/(1 + e^(-z)) · ((1 + e^(-z)) - 1)/(1 + e^(-z))",
             [e / (1 + e) ** 2, 1 / (1 + e) * (e / (1 + e)),
              1 / (1 + e) * ((1 + e) - 1) / (1 + e)], (z,)),
        Step("9", "Separate the terms",
             "Divide each term of the numerator by 1 + e^(-z).",
             "1/(1 + e^(-z)) · ((1 + e^(-z)) - 1)/(1 + e^(-z))"
             " = 1/(1 + e^(-z)) · [(1 + e^(-z))/(1 + e^(-z)) - 1/(1 + e^(-z))]",
             [1 / (1 + e) * ((1 + e) - 1) / (1 + e),
              1 / (1 + e) * ((1 + e) / (1 + e) - 1 / (1 + e))], (z,)),
        Step("10", "The sigmoid's derivative",
             "The first term is 1 and the second is σ(z) again, so ∂ŷ/∂z = ŷ(1 - ŷ).",
             "∂ŷ/∂z = 1/(1 + e^(-z)) · (1 - 1/(1 + e^(-z))) = ŷ(1 - ŷ)",
             [D(sigma, z), 1 / (1 + e) * (1 - 1 / (1 + e)), sigma * (1 - sigma)], (z,),
             ("logitfit.sigmoid_derivative",
              scalar(lambda zv: functional.sigmoid_derivative(np.array([zv]))))),
        Step("11", "The third factor, ∂z/∂W",
             "z is linear in W, so its gradient is the input vector x (with x₀ = 1).",
             "∂z/∂W = x",
             [vector(lambda j: D(z_of_w, w[j])), X], (*w, *x)),
        Step("12", "The gradient",
             "Multiplying the three factors, ŷ(1 - ŷ) cancels and ∂L/∂W = (ŷ - y)·x with "
             "ŷ = σ(Wᵀx); checked against the derivative of the composite loss itself.",
             "∂L/∂W = (ŷ - y)/(ŷ(1 - ŷ)) · ŷ(1 - ŷ) · x = (ŷ - y) x",
             [vector(lambda j: D(loss_of_w, w[j])),
              vector(lambda j: dL_dyhat.subs(yhat, sigma.subs(z, z_of_w))
                     * (sigma * (1 - sigma)).subs(z, z_of_w) * X[j]),
              (sigma.subs(z, z_of_w) - y) * X], (y, *w, *x),
             ("logitfit.bce_gradient", implementation_gradient)),
    ]


# Where random points are drawn: labels in [0, 1], predictions away from 0 and 1, logits
# over the range where both tails matter, weights and inputs of moderate size.
_DOMAIN = {"y": (0.0, 1.0), "yhat": (0.02, 0.98), "z": (-8.0, 8.0)}


def verify(step: Step, rng: np.random.Generator, n_points: int = 5) -> StepResult:
    """Check one step symbolically and at ``n_points`` random points.

    Symbolically, SymPy must simplify each difference of neighbours in the chain to zero.
    Numerically, every member of the chain (and logitfit's implementation, where there is
    one) must agree with the first at each point to a relative error of 1e-12 (the comparison
    uses max(|a|, |b|, 1) as the scale); the chain is evaluated with 50-digit arithmetic.

    Parameters
    ----------
    step : Step
    rng : numpy.random.Generator
    n_points : int, default=5

    Returns
    -------
    StepResult
    """
    import mpmath
    import sympy as s

    evaluated = [expr.doit() for expr in step.chain]
    symbolic = True
    for a, b in zip(evaluated, evaluated[1:], strict=False):
        difference = s.simplify(a - b)
        symbolic &= bool(difference.is_zero_matrix) if isinstance(difference, s.MatrixBase) \
            else difference == 0
    functions = [s.lambdify(step.symbols, expr, "mpmath") for expr in evaluated]
    numeric_error = 0.0
    implementation_error = None
    for _ in range(n_points):
        point = [rng.uniform(*_DOMAIN.get(symbol.name, (-2.0, 2.0))) for symbol in step.symbols]
        # 50 digits: the forms of a chain agree to the last bit of the float result, whatever
        # cancellation the unstable forms (log(1 - σ), ...) suffer in double precision.
        with mpmath.workdps(50):
            values = [np.asarray(_as_floats(f(*point)), dtype=np.float64).ravel()
                      for f in functions]
        for other in values[1:]:
            numeric_error = max(numeric_error, _relative(values[0], other))
        if step.implementation is not None:
            got = np.asarray(step.implementation[1](*point), dtype=np.float64).ravel()
            implementation_error = max(implementation_error or 0.0, _relative(got, values[0]))
    return StepResult(step.number, step.title, step.text, step.display, bool(symbolic),
                      numeric_error,
                      None if step.implementation is None else step.implementation[0],
                      implementation_error)


def _as_floats(value):
    if hasattr(value, "tolist"):  # an mpmath matrix
        return [float(v) for row in value.tolist() for v in row]
    return float(value)


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)))


def derive(seed: int = 0, n_points: int = 5, n_features: int = 3) -> list[StepResult]:
    """Verify every step of the derivation.

    Parameters
    ----------
    seed : int, default=0
        Seed of the random evaluation points.
    n_points : int, default=5
    n_features : int, default=3

    Returns
    -------
    list of StepResult
        One per equation, (1) to (12).
    """
    rng = np.random.default_rng(seed)
    return [verify(step, rng, n_points) for step in steps(n_features)]
