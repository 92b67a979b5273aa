"""A sweep's scoring checked against the target before any fit, and several scorers at once as GridSearchCV's
multimetric scoring (a list, tuple or set of names, or a dict {name: scorer}): each fold scored by all of them,
cv_results_ under their names, the table ranked and the best picked by `refit`'s, which names one of them."""
from __future__ import annotations

from typing import Any

from chainrule.data.advice import give
from chainrule.errors import ValidationError
from chainrule.sweep_search import metric_kind, scorer_refusal

#: GridSearchCV's own words for refit=True (or a name not among them) beside several scorers
MULTIMETRIC_REFIT = ("For multi-metric scoring, the parameter refit must be set to a scorer key or a callable to refit "
                     "an estimator with the best parameter setting on the whole data and make the best_* attributes "
                     "available for that metric. If this is not needed, refit should be set to False explicitly. {!r} "
                     "was passed.")


def several(scoring: Any, refit: Any) -> tuple[dict | None, str]:
    """(the scorers {name: scorer name or callable} where scoring gives several, else None; the metric that ranks
    and refits: `refit`'s name, the first scorer's where refit is False or a callable, or 'score' for one scorer),
    each checked as GridSearchCV checks them."""
    if not isinstance(scoring, (list, tuple, set, dict)):
        if not isinstance(refit, bool) and not callable(refit):
            raise ValidationError(f"refit must be True, False or a callable (of cv_results_, giving the best "
                                  f"candidate's index, as GridSearchCV's); a scorer's name only beside several "
                                  f"scorers, scoring=['accuracy', 'f1_macro']; got {refit!r}")
        return None, "score"
    if isinstance(scoring, dict):
        if not scoring or not all(isinstance(k, str) for k in scoring):
            raise ValidationError(f"scoring as a dict must map names (str) to scorers, at least one; got {scoring!r}")
        scorers = dict(scoring)
    else:
        names = list(scoring)
        if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
            raise ValidationError(f"scoring as a {type(scoring).__name__} must hold scorers' names (str), each once, "
                                  f"at least one; got {scoring!r}")
        scorers = {n: n for n in names}
    for one in scorers.values():
        if not isinstance(one, str) and not callable(one):
            raise ValidationError(f"scoring: each scorer must be a scorer's name or a scorer (make_scorer(...)); got "
                                  f"{one!r}")          # a name scikit-learn does not know: run_sweep's scoring_name
    if refit is False or callable(refit):    # GridSearchCV's: no best_* (False) or the callable's; the table ranked
        return scorers, next(iter(scorers))  # by the first scorer
    if not (isinstance(refit, str) and refit in scorers):
        raise ValidationError(MULTIMETRIC_REFIT.format(refit))
    return scorers, refit


def check_scoring_for(scoring: Any, classify: bool, target: str, n_classes: int) -> None:
    """One scorer (a name or a scorer) checked against the target's task, before any fit: a regression metric of
    classes, a classification metric of numbers, a scorer that cannot score this many classes (roc_auc of 3)."""
    kind = None if scoring is None else metric_kind(scoring)
    if kind == "regression" and classify:
        raise ValidationError(f"{give('scoring given', scoring=scoring)} is a regression metric; the target "
                              f"{target!r} is classes, which it would score as numbers (accuracy, "
                              "balanced_accuracy, f1_macro, neg_log_loss, ...)")
    if kind == "classification" and not classify:
        raise ValidationError(f"{give('scoring given', scoring=scoring)} is a classification metric; the target "
                              f"{target!r} is numbers (a regression), which it cannot score (r2, "
                              "neg_mean_squared_error, neg_mean_absolute_error, ...); if its values are class labels, "
                              "set the task: "
                              f"{give('task', task='classification')}")
    refused = scorer_refusal(scoring, n_classes) if scoring is not None and classify else None
    if refused:
        raise ValidationError(f"{give('scoring given', scoring=scoring)} cannot score the {n_classes} classes "
                              f"of {target!r}: scikit-learn says {refused.rstrip('.')}; choose a scorer for them "
                              "(accuracy, balanced_accuracy, f1_macro, roc_auc_ovr, neg_log_loss, ...)")
