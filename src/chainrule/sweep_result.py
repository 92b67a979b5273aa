"""What `run_sweep` hands back: the table, the best candidate and its refit, read as a fitted GridSearchCV is
(best_params_, cv_results_, refit_time_, scorer_, classes_, predict, score, ...), each of them the search's own
numbers or the refit best's own methods: nothing here scores or predicts itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainrule.errors import ValidationError

#: GridSearchCV's methods that call its best_estimator_'s (here the Pipeline of the file's preprocessing and the best)
DELEGATED = ("predict", "predict_proba", "predict_log_proba", "decision_function")


@dataclass
class SweepResult:
    """What a sweep leaves: the table (one row per candidate, best first, values as the grid wrote
    them; failed candidates, NaN, last), the best candidate's estimator arguments as values
    (`BackpropClassifier(**best_params)`, as GridSearchCV's best_params_), that estimator refit on every
    row (a regression's wrapped to predict in the target's units), and the files written. `best_estimator`
    takes preprocessed rows (standardised, one-hot: the whole file's preprocessing); `best_estimator_`, as
    GridSearchCV's over a Pipeline, is the Pipeline of that preprocessing and it, which takes the file's rows."""

    table: Any                  # pandas DataFrame
    best_params: dict
    best_score: float
    scoring: str
    results_path: Path | None
    model_path: Path | None
    best_estimator: Any = None
    left_out: list[str] = field(default_factory=list)      # the columns drop or features left out
    said: str | None = None     # the target's labels kept as the file writes them (007), as train says it
    failed: dict[int, str] = field(default_factory=dict)   # failed candidates (rows of the search) -> why
    cv_results_: dict = field(default_factory=dict)   # GridSearchCV's (test scores, fit times), candidates in order
    best_index: int = 0                               # the best candidate's place in cv_results_ (best_index_)
    best_pipeline: Any = None          # the file's preprocessing, then best_estimator (`with_preprocessing`)
    #: the other candidates whose mean score equals the best's (rank 1 too, as scikit-learn ranks ties), their places
    #: in cv_results_: best_index_ is the first of them all, in the grid's (or the drawn) order, as GridSearchCV's
    tied_indices_: list[int] = field(default_factory=list)
    #: the class that scoring scores as the positive one (f1, precision, recall, jaccard, average_precision of a 2-class
    #: target): the second of the sorted classes, as the labels 0 and 1 are encoded (1 positive, scikit-learn's
    #: pos_label; the first, a make_scorer's own pos_label=0); None where the scorer scores both classes alike
    #: (accuracy, roc_auc, f1_macro) or the target is not 2 classes
    positive_class: Any = None
    #: seconds the best candidate's refit on every row took (GridSearchCV's refit_time_); None when not refit
    refit_time: float | None = None
    #: the scorer that scored each fold: scikit-learn's check_scoring of the scoring given (GridSearchCV's scorer_)
    scorer_: Any = None
    #: files of the folder this sweep removed when it finished: an earlier interrupted sweep's partial table
    removed: list[Path] = field(default_factory=list)
    #: the file's columns the best model reads, in the file's order (GridSearchCV's feature_names_in_ of a DataFrame)
    feature_names: list[str] = field(default_factory=list)
    #: the refit given (True, a scorer's name, False or a callable of cv_results_): GridSearchCV's refit
    refit: Any = True

    # scikit-learn's names for what a search found (GridSearchCV's best_params_, best_score_, best_estimator_)
    #: GridSearchCV's multimetric_: several scorers (scorer_ a dict of them, scoring the one refit names)
    multimetric_ = property(lambda self: isinstance(self.scorer_, dict))

    @property
    def best_index_(self) -> int:
        """GridSearchCV's: no such attribute for several scorers with refit=False, which pick no best."""
        self._ranked("best_index_")
        return self.best_index

    @property
    def best_params_(self) -> dict:
        """GridSearchCV's (absent as best_index_ is)."""
        self._ranked("best_params_")
        return self.best_params

    @property
    def best_score_(self) -> float:
        """GridSearchCV's: absent where refit is a callable (it picks by its own rule, not a mean score)."""
        if callable(self.refit):
            raise AttributeError("'SweepResult' object has no attribute 'best_score_': refit is a callable, which "
                                 "picks best_index_ by its own rule (GridSearchCV has no best_score_ then either)")
        self._ranked("best_score_")
        return self.best_score

    def __setstate__(self, state: dict) -> None:
        """A result pickled before best_index_ became a property kept its field as 'best_index_', which the property
        (reading the class's default, 0) would hide: read as best_index, so the best stays the one found."""
        if "best_index_" in state:
            state = {**{k: v for k, v in state.items() if k != "best_index_"}, "best_index": state["best_index_"]}
        self.__dict__.update(state)

    def _ranked(self, name: str) -> None:
        if self.multimetric_ and self.refit is False:
            raise AttributeError(f"'SweepResult' object has no attribute {name!r}: several scorers with refit=False "
                                 "pick no best candidate (as GridSearchCV's); cv_results_ ranks by each "
                                 "(rank_test_<name>)")
    n_splits_ = property(lambda self: sum(k.startswith("split") and k.endswith(
        f"_test_{self.scoring if self.multimetric_ else 'score'}") for k in self.cv_results_))

    @property
    def best_estimator_(self):
        """GridSearchCV's over a Pipeline: the file's preprocessing, then the refit best; no such attribute where
        nothing was refit (refit=False), as GridSearchCV(refit=False) has none."""
        if self.best_pipeline is None:
            raise self._unrefit("best_estimator_")
        return self.best_pipeline

    @property
    def n_features_in_(self) -> int:
        """The file's columns the best model reads (GridSearchCV's, after a refit on a DataFrame of them)."""
        if self.best_pipeline is None:
            raise self._unrefit("n_features_in_")
        return len(self.feature_names)

    @property
    def feature_names_in_(self):
        """Those columns' names, in the file's order: GridSearchCV's, an array of str objects."""
        import numpy as np
        if self.best_pipeline is None:
            raise self._unrefit("feature_names_in_")
        return np.asarray(self.feature_names, dtype=object)

    @property
    def refit_time_(self) -> float:
        """GridSearchCV's: the refit's seconds, and no such attribute where nothing was refit (refit=False)."""
        if self.refit_time is None:
            raise self._unrefit("refit_time_")
        return self.refit_time

    @property
    def classes_(self):
        """The refit classifier's classes (the file's labels), as GridSearchCV's classes_."""
        self._refitted("classes_")
        if not hasattr(self.best_estimator, "classes_"):
            raise AttributeError("'SweepResult' object has no attribute 'classes_': the sweep's target is numbers "
                                 "(a regression), which has no classes")
        return self.best_estimator.classes_

    def score(self, X, y=None, **params) -> float:
        """The scorer_'s score of best_estimator_ on the file's rows X and their targets y, as GridSearchCV's score
        (the sweep's scoring: its default is the estimator's own score, accuracy or R2); refit=False: AttributeError
        on the call, as GridSearchCV's."""
        self._refitted("score")
        if isinstance(self.scorer_, dict) and callable(self.refit):    # GridSearchCV's scorer_[refit]: a KeyError
            names = ", ".join(map(repr, self.scorer_))
            refit = getattr(self.refit, "__name__", self.refit)
            raise ValidationError(f"score: the sweep's refit is a callable ({refit}) beside several scorers ({names}), "
                                  "so no scorer is the refit's, as GridSearchCV's score finds none (its KeyError); "
                                  f"score with one of them: result.scorer_[{next(iter(self.scorer_))!r}]"
                                  "(result.best_estimator_, X, y)")
        scorer = self.scorer_[self.scoring] if isinstance(self.scorer_, dict) else self.scorer_   # refit's, as theirs
        return float(scorer(self.best_pipeline, X, y, **params))

    def __getattr__(self, name: str):
        """predict, predict_proba, ...: best_estimator_'s own (the file's rows in, labels or target units out)."""
        if isinstance(getattr(type(self), name, None), property):    # its own AttributeError, not this one's
            return getattr(type(self), name).fget(self)
        if name in DELEGATED:        # as GridSearchCV's, only where it refit the best
            self._refitted(name)
            return getattr(self.best_pipeline, name)
        raise AttributeError(f"'SweepResult' object has no attribute {name!r}")

    @staticmethod
    def _unrefit(name: str) -> AttributeError:
        """hasattr False, as GridSearchCV(refit=False)'s attributes of the refit."""
        return AttributeError(f"'SweepResult' object has no attribute {name!r}: the sweep ran with refit=False "
                              "(--no-refit), so no best candidate was refit")

    def _refitted(self, name: str) -> None:
        if self.best_pipeline is None:        # scikit-learn's words for GridSearchCV(refit=False)
            raise AttributeError(f"This sweep ran with refit=False (--no-refit). {name} is available only after "
                                 "refitting on the best parameters. You can refit an estimator manually using the "
                                 "`best_params_` attribute")


def scorer_of(estimator, scoring: Any, classes: Any = None):
    """GridSearchCV's scorer_: scikit-learn's check_scoring of the scoring given (None: the estimator's own score).
    The folds score the classes encoded 0, 1; best_estimator_ predicts the file's labels, so a scorer of one class
    of two (`classes`, sorted; None otherwise) is given the label of the encoded class it scored: its own pos_label
    (make_scorer's, default 1). One whose metric takes no pos_label (the likelihood ratios) scores the second of the
    sorted labels already, as the encoded 1. scikit-learn 1.9 has no public way to change a scorer's arguments
    (set_score_request needs metadata routing switched on for the whole process): a copy's are set."""
    import copy
    import inspect

    from sklearn.metrics import check_scoring
    scorer = check_scoring(estimator, scoring)
    kwargs, func = getattr(scorer, "_kwargs", None), getattr(scorer, "_score_func", None)
    if classes is None or not isinstance(kwargs, dict) or func is None:
        return scorer
    try:
        takes = "pos_label" in inspect.signature(func).parameters
    except (TypeError, ValueError):         # a builtin or C function: its arguments unknown, left as given
        takes = False
    if takes:
        label = scored_class(scorer, classes)
        scorer = copy.copy(scorer)
        scorer._kwargs = {**kwargs, "pos_label": getattr(label, "item", lambda: label)()}
    return scorer


def scored_class(scoring: Any, classes: Any) -> Any:
    """The label a scorer of one class of two scores: the folds' encoded class its pos_label names (make_scorer's own,
    0 or 1; scikit-learn's default 1, the second of the sorted labels)."""
    from sklearn.metrics import get_scorer
    encoded = (getattr(get_scorer(scoring), "_kwargs", None) or {}).get("pos_label", 1)
    return classes[int(encoded)] if encoded in (0, 1) else classes[1]
