"""A conditional-logit choice model: at each step, one of a set of candidate rows is chosen.

``P(row j chosen at its step) = exp(x_j . w) / sum over the step's rows of exp(x_k . w)``, fitted by Newton's method on
the L2-penalised negative log-likelihood with features standardised on the training rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ChoiceModel:
    """Fitted weights over standardised features."""

    weights: FloatArray
    mean: FloatArray
    scale: FloatArray

    def score(self, features: FloatArray) -> FloatArray:
        """The utility ``x . w`` of every row."""
        utility: FloatArray = ((features - self.mean) / self.scale) @ self.weights
        return utility


def fit_choice_model(
    features: FloatArray,
    step_starts: IntArray,
    chosen: IntArray,
    *,
    l2: float = 1.0,
    max_iterations: int = 50,
    tolerance: float = 1e-4,
) -> ChoiceModel:
    """Fit the weights.

    Parameters
    ----------
    features
        One row per candidate, rows of one step contiguous.
    step_starts
        The first row of every step, increasing, starting at 0.
    chosen
        The chosen row of every step (a global row number inside the step's block).
    l2
        The weight of ``|w|^2 / 2`` in the objective.
    max_iterations
        Newton iterations at most.
    tolerance
        Stop when the Newton decrement (the predicted decrease of the objective) falls below this.

    Raises
    ------
    ValueError
        If there are no steps or the arrays disagree.
    """
    if len(step_starts) == 0 or len(step_starts) != len(chosen) or step_starts[0] != 0:
        raise ValueError("need at least one step, a start row per step and a chosen row per step")
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = (features - mean) / scale
    x_chosen_sum = x[chosen].sum(axis=0)
    step_of_row = np.repeat(np.arange(len(step_starts)), np.diff(np.append(step_starts, len(x))))

    def objective(weights: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        utility = x @ weights
        top = np.maximum.reduceat(utility, step_starts)
        exp = np.exp(utility - top[step_of_row])
        normaliser = np.add.reduceat(exp, step_starts)
        loss = float((top + np.log(normaliser)).sum() - utility[chosen].sum()) + 0.5 * l2 * float(weights @ weights)
        probability = exp / normaliser[step_of_row]
        return loss, probability, x.T @ probability - x_chosen_sum + l2 * weights

    weights = np.zeros(x.shape[1])
    loss, probability, gradient = objective(weights)
    indptr = np.append(step_starts, len(x))
    for _ in range(max_iterations):
        by_step = sparse.csr_array((probability, np.arange(len(x)), indptr), shape=(len(step_starts), len(x)))
        expected = by_step @ x
        weighted = x * np.sqrt(probability)[:, None]
        hessian = weighted.T @ weighted - expected.T @ expected + l2 * np.eye(x.shape[1])
        direction = -np.linalg.solve(hessian, gradient)
        decrease = float(gradient @ direction)
        if -decrease < tolerance:
            break
        step = 1.0
        while True:  # backtracking line search (Armijo); the objective is convex
            trial = weights + step * direction
            trial_loss, trial_probability, trial_gradient = objective(trial)
            if trial_loss <= loss + 1e-4 * step * decrease or step < 1e-8:
                break
            step /= 2
        weights, loss, probability, gradient = trial, trial_loss, trial_probability, trial_gradient
    return ChoiceModel(weights=weights, mean=mean, scale=scale)
