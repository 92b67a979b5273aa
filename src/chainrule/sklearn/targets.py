"""BackpropClassifier's targets (`_ClassTargets`, which it inherits): y's labels read and checked, its kind (binary,
several classes, multi-label, a single class) and classes kept, y encoded as the network's targets, a warm start's
or partial_fit's y checked against the fitted network's, and class_weight turned into each row's weight."""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from ..errors import ValidationError
from ..nn.sample_weight import WEIGHTS_IN_A_ROW, class_table
from .inputs import checked_classes, known_type, one_column, one_type, sample_weights, zero_one
from .params import estimator_name


class _ClassTargets:
    """The classifier's y: what `BackpropClassifier` (estimators.py) reads it with before `_Backprop` trains."""

    # what BackpropClassifier and _Backprop set or give (the parameter, the fitted attributes, the weights' check)
    class_weight: Any
    classes_: Any
    _kind: str
    _sparse_y: bool
    _no_negative_weight: Any

    #: whether a dict class_weight may always name classes fit's y lacks (they weigh no row): a sweep's fold whose
    #: training rows lack a class the sweep checked against the whole file; here such a label is ignored only where
    #: every class of y has its weight, as compute_class_weight, else refused (a typo, say)
    _weighs_classes_y_lacks = False

    def _class_weighted(self, X, y, sample_weight, partial: bool = False):
        """sample_weight times each row's class_weight (the engine's sample_weight.class_table, as scikit-learn's
        compute_class_weight with sample_weight; a dict's over every class, so that a batch of partial_fit may lack
        a weighted one, as SGDClassifier's), checked first: a label that is not a class, a weight below 0, and
        'balanced' in partial_fit (one batch's counts) named."""
        cw = self.class_weight
        if cw is None:
            return sample_weight
        name = estimator_name(self)
        if self._kind == "multilabel-indicator":
            raise ValidationError(f"{name}: class_weight is for single-label targets (one class per sample); y is "
                                  "multi-label: weigh its rows with sample_weight")
        if isinstance(cw, str) and cw == "balanced" and partial:
            raise ValidationError(f"{name}.partial_fit cannot use class_weight='balanced' (counted on one batch): "
                                  "give a dict {label: weight}, as scikit-learn's SGDClassifier asks")
        if isinstance(cw, dict) and (self._weighs_classes_y_lacks or set(self.classes_.tolist()) <= set(cw)):
            cw = {k: v for k, v in cw.items() if k in set(self.classes_.tolist())}     # compute_class_weight's (1.9)
        if isinstance(cw, dict):
            unknown = [k for k in cw if k not in set(self.classes_.tolist())]
            if unknown:
                raise ValidationError(f"{name}: class_weight names {unknown[0]!r}, which is not a class of y; its "
                                      f"classes are {self.classes_.tolist()[:20]}")
            bad = [(k, v) for k, v in cw.items() if not (isinstance(v, (int, float, np.number))
                                                        and not isinstance(v, bool) and np.isfinite(v) and v >= 0)]
            if bad:
                raise ValidationError(f"{name}: class_weight[{bad[0][0]!r}] must be a number >= 0; got {bad[0][1]!r}")
        elif not (isinstance(cw, str) and cw == "balanced"):      # an array's == is elementwise: not asked
            row = hasattr(cw, "__len__") and not isinstance(cw, str)
            raise ValidationError(f"{name}: class_weight must be None, a dict {{label: weight}} or 'balanced'; got "
                                  + (type(cw).__name__ + WEIGHTS_IN_A_ROW if row else repr(cw)))
        codes = np.searchsorted(self.classes_, y)       # the engine's table (Network.fit's class_weight), over every
        if isinstance(cw, dict):                        # class: a batch of partial_fit may lack a weighted one
            index = {c: i for i, c in enumerate(self.classes_.tolist())}
            cw = {index[k]: v for k, v in cw.items()}
        given = None if sample_weight is None else sample_weights(sample_weight, X)
        if given is not None:       # the user's weights, before 'balanced' counts them or a class's 0 hides one < 0
            self._no_negative_weight(given)
        w = class_table(cw, codes, len(self.classes_), given)[codes]   # 'balanced': compute_class_weight's numbers,
        return w if given is None else w * given                       # counted with sample_weight as scikit-learn's

    def _encode(self, y, classes=None, kind=None, given: bool = False):
        """y as the network's targets, for `classes` and `kind` (default: the fitted ones); `given`: the
        classes are partial_fit's argument, named in the error."""
        classes = self.classes_ if classes is None else classes
        kind = self._kind if kind is None else kind
        if kind == "multilabel-indicator":
            return y.astype(np.float64)
        idx = np.searchsorted(classes, y)
        unknown = classes[np.minimum(idx, len(classes) - 1)] != y
        if np.any(unknown):
            where = (f"not in classes={classes.tolist()!r} given to partial_fit" if given else
                     f"not seen in the first fit: expected among {classes.tolist()}")
            raise ValidationError(f"y contains labels {np.unique(y[unknown]).tolist()[:10]} {where}")
        if kind == "unary":                 # the one class: its probability, 1, is the target
            return np.ones((len(y), 1))
        return idx if kind == "multiclass" else idx.reshape(-1, 1).astype(np.float64)

    def _setup(self, y, classes=None, sparse: bool = False):
        """The targets encoded, and the network's outputs, for a new network: the classes and kind are
        checked before they are kept (a refused fit leaves the estimator as it was). `sparse`: y was a
        sparse matrix, so a multi-label predict is one too (as MLPClassifier's, whose LabelBinarizer
        keeps the first fit's kind of y)."""
        kind = type_of_target(y)
        if kind == "multilabel-indicator":
            labels = np.arange(y.shape[1])
            if classes is not None and not np.array_equal(checked_classes(classes).astype(object), labels):
                raise ValidationError(f"classes for a multi-label y are its columns' indices: classes=np.arange("
                                      f"{y.shape[1]}) (y has {y.shape[1]} columns); got {classes!r:.80}")
        else:
            check_classification_targets(y)
            labels = unique_labels(y) if classes is None else checked_classes(classes)   # MLPClassifier's dtype
            kind = "binary" if len(labels) == 2 else "multiclass" if len(labels) > 2 else "unary"
        Y = self._encode(y, labels, kind, given=classes is not None)
        self.classes_, self._kind = labels, kind
        self._sparse_y = sparse and kind == "multilabel-indicator"
        return Y, len(labels) if kind != "binary" else 1

    @staticmethod
    def _labels(y):
        """y, 1-D unless multi-label; labels scikit-learn cannot read (text mixed with numbers, an object array of
        bools or numbers) named first, before its type_of_target sorts them ("'<' not supported ...")."""
        one_type(y)
        known_type(y)
        if type_of_target(y) == "multilabel-indicator":
            zero_one(y)
            return y
        return column_or_1d(one_column(y), warn=True)

    def _same_kind(self, y, call: str) -> None:
        """A warm start (`call` "warm_start") or partial_fit goes on training the fitted network, built for y of one
        kind: single-label, or multi-label of as many labels (MLPClassifier: "The object was not fitted with multilabel
        input."); a 0/1 matrix after single labels was read as the softmax's targets, each row a class's one-hot or
        not. A warm start needs the same classes too (MLPClassifier's words); partial_fit's are checked by `_encode`."""
        multilabel, fitted = type_of_target(y) == "multilabel-indicator", self._kind == "multilabel-indicator"
        if multilabel != fitted or multilabel and y.shape[1] != len(self.classes_):
            given = (f"multi-label (a 0/1 matrix of {y.shape[1]} columns)" if multilabel else
                     "single-label (one class per sample)")
            classes = self.classes_.tolist()
            shown = f"{classes}" if len(classes) <= 20 else f"{str(classes[:20])[:-1]}, ...] of {len(classes)}"
            was = f"a multi-label y of {len(classes)} columns" if fitted else f"a single-label y (classes {shown})"
            who, fix = ((f"{estimator_name(self)}.partial_fit", "call fit") if call == "partial_fit" else
                        (f"{estimator_name(self)}: warm_start=True", "set warm_start=False"))
            raise ValidationError(f"{who} goes on training the fitted network, which was fitted on {was}; y is "
                                  f"{given}. Give y as fit had it, or {fix} to build a new network")
        labels = None if multilabel else unique_labels(y)
        if call == "warm_start" and labels is not None and not np.array_equal(labels, self.classes_):
            raise ValidationError(f"{estimator_name(self)}: warm_start can only be used where `y` has the same classes "
                                  f"as in the previous call to fit. Previously got {self.classes_}, `y` has {labels}")
