"""The ``logitfit`` command line: thin wrappers around the library, no maths of its own."""

from __future__ import annotations

import sys

import click


class UserError(click.ClickException):
    """A mistake the user can fix: one line on stderr, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"logitfit: error: {self.format_message()}", err=True, file=file)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="logitfit")
def main():
    """Binary logistic regression by exact, fused minimisation of the BCE loss."""


@main.command()
@click.option("--solver", default="auto", show_default=True,
              help="Solver: auto, lbfgs, newton-cholesky, newton-cg, gd or agd.")
@click.option("--C", "C", default=1.0, show_default=True, type=float,
              help="Inverse L2 regularisation strength.")
@click.option("--seed", default=0, show_default=True, type=int, help="Train/test split seed.")
def demo(solver: str, C: float, seed: int):
    """Fit the breast-cancer data shipped with scikit-learn and report test metrics."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from ._estimator import LogisticRegression
    from .solvers import SOLVERS

    if solver != "auto" and solver not in SOLVERS:
        raise UserError(f"unknown solver {solver!r}; choose auto or one of {', '.join(SOLVERS)}.")
    if not C > 0:
        raise UserError(f"--C must be positive, got {C}.")
    data = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, stratify=data.target, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    click.echo(f"breast cancer: {X_train.shape[0]} training and {X_test.shape[0]} test samples, "
               f"{X_train.shape[1]} standardised features; C={C:g}")
    model = LogisticRegression(C=C, solver=solver, verbose=1).fit(
        scaler.transform(X_train), y_train
    )
    proba = model.predict_proba(scaler.transform(X_test))[:, 1]
    click.echo(f"converged: {model.converged_} after {model.n_iter_[0]} iterations "
               f"({model.solver_})")
    click.echo(f"test accuracy: {accuracy_score(y_test, proba > 0.5):.4f}")
    click.echo(f"test log loss: {log_loss(y_test, proba):.4f}")
    click.echo(f"test ROC AUC:  {roc_auc_score(y_test, proba):.4f}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
