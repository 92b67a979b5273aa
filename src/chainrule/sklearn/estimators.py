"""The estimators: BackpropClassifier and BackpropRegressor (what they share: backprop.py)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from ..errors import ChainruleTypeError, ValidationError
from ..nn.sample_weight import WEIGHTS_IN_A_ROW, class_table
from .backprop import _Backprop
from .inputs import checked_classes, known_type, numeric_y, one_column, one_type, sample_weights, zero_one
from .params import (
    as_before_if_refused,
    check_params,
    estimator_name,
    takes_mlp_names,
)


class BackpropClassifier(ClassifierMixin, _Backprop):
    """A multilayer perceptron classifier trained by backpropagation (chainrule's engine).

    Binary targets: one sigmoid output and binary cross-entropy. Several classes: softmax and
    categorical cross-entropy. Multi-label (a 2-D 0/1 target, scikit-learn's multilabel-indicator; of
    two other values, -1 and 1 say, refused, naming them): one sigmoid output per label. A
    single class (as MLPClassifier, which fits it): one sigmoid output trained towards 1; predict
    gives that class and predict_proba one column of 1.0, as many columns as classes_ (MLPClassifier's
    has two, for one class; DummyClassifier's and DecisionTreeClassifier's have one).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, the hidden layers' widths.
    activation : hidden activation ("relu", "tanh", "sigmoid", "leaky_relu", "linear"; MLPClassifier's
        "logistic" and "identity" too; None is linear; "softmax" too, the engine's, which MLPClassifier refuses).
    optimizer : "adam", "sgd", "rmsprop", "adagrad" or "adamw", with learning_rate (a number, or a
        chainrule.optim schedule: StepLR(0.01, 10), ...); momentum is used by "sgd" only. Or a
        `chainrule.optim` optimizer, copied by each fit, with its own arguments (learning_rate and
        momentum are then not used; set_params' optimizer__lr sets one in a copy).
    clip_norm, clip_value : gradient clipping, the optimizer's (None: none; give one): the gradients' global L2
        norm at most clip_norm, or each element in [-clip_value, clip_value], as train's --clip-norm and
        --clip-value; a grid may sweep them. Not with an optimizer instance (give it its own).
    batch_size, epochs : mini-batch size (None, the default: 32; 'auto': min(200, n_samples), as
        MLPClassifier) and the most passes over the data (see tol). A batch_size above the training rows
        is clipped, with MLPClassifier's warning unless it is the default (an explicit 32 warns).
    shuffle : shuffle the rows each epoch (as MLPClassifier).
    early_stopping : hold out validation_fraction of the data (each class in proportion for
        single-label targets; MLPClassifier's for two classes only, at random for more) and stop when its
        score (`score`: accuracy, R2 for the regressor) has not risen above the best by tol for more than
        n_iter_no_change epochs; the weights of the best
        score are kept. Without it, training stops when the loss has not fallen below the lowest by tol for
        more than n_iter_no_change epochs. As MLPClassifier (epochs is its max_iter), fit warns with its
        ConvergenceWarning, in its words, when it ran every epoch without that rule ending it (partial_fit,
        one epoch, does not).
    alpha : L2 penalty, MLPClassifier's: 0.5 * alpha * sum(W**2) / m added to each batch's loss (m its
        rows, or its sample weights' sum), on the weights, not the biases (the network's weight_penalty;
        the regressor's 2 / outputs times, as its loss's gradient; a multi-label one's over the labels' count).
    random_state : seed of the initial weights, the shuffling and the validation split.
    dtype : "float64" or "float32": the network's, which X and sample_weight are taken in (float64 weights do not
        widen a float32 network, nor float32 X narrow a float64 one). The outputs (predict_proba, the regressor's
        predict) are float32 with "float32"; else, as MLPClassifier's, float32 when X and the X
        trained on are both float32.
    verbose : 0 or False silent; else MLPClassifier's lines ("Iteration 1, loss = 0.69314718", with early
        stopping "Validation score: 0.950000", and its message when it stops).
    warm_start : fit goes on training the current network (its optimizer's state and shuffling
        too, which MLPClassifier's fit starts anew) when the parameters still describe it; else it builds
        one anew (other hidden_layer_sizes: an error, where MLPClassifier goes on with the old layers; early_stopping
        turned on or off: an error, where MLPClassifier fails in its own code).
        Another activation keeps the weights and computes with the new one, as MLPClassifier. partial_fit
        refuses other hidden_layer_sizes or dtype (it cannot build a new network), naming both, and a network fit
        trained with early stopping (as MLPClassifier's fails to go on from it); both refuse y of another
        kind than the network's (multi-label after single labels, or another number of labels), as MLPClassifier's.
    class_weight : None, {label: weight} (a label left out weighs 1; one y lacks ignored where each class of y has
        its weight, as compute_class_weight, so a CV fold may lack a rare class) or "balanced" (n_samples / (n_classes *
        the class's rows), counted on fit's y; with sample_weight, their sums for the counts, as scikit-learn's
        compute_class_weight): each row's loss weighs its class's weight, times sample_weight,
        as scikit-learn's classifiers' class_weight (LogisticRegression's, which counts 'balanced' with
        sample_weight too, so that a weight of 2 fits as a row repeated; MLPClassifier has none), so that
        GridSearchCV can search it. Single-label targets only; partial_fit takes a dict only.

    Attributes
    ----------
    loss_curve_ : the training loss of each epoch (of every fit since the network was built, with
        warm_start and partial_fit) with the alpha term, as MLPClassifier's and MLPRegressor's report it (the
        network's own is another multiple: the regressor's mean squared error, a multi-label network's mean
        over its labels; `MLPLoss`). With sample_weight, each batch's loss is its weighted mean, and the
        batches' are averaged by their rows, as MLP's; a batch whose weights are all 0 (no step) is left out, as
        its rows left out of MLP's fit (MLP's own fit divides by its weight, 0).
    n_iter_ : the epochs of the last call of fit or partial_fit (partial_fit: 1), as MLPClassifier's.
    validation_scores_, best_validation_score_ : with early_stopping, the held-out score of each
        epoch and the best one (as MLPClassifier's): `score`'s, weighted by sample_weight, not by class_weight (as
        SGDClassifier's validation score); None without it.
    validation_loss_curve_ : with early_stopping, the held-out loss of each epoch in loss_curve_'s units (MLP's:
        the regressor's half mean squared error), without alpha's penalty; None without it.
    loss_, best_loss_, t_, n_layers_, n_outputs_, out_activation_, coefs_, intercepts_ : as
        MLPClassifier's (loss_: the last epoch's, not set before an epoch; best_loss_: the lowest of loss_curve_,
        inf before an epoch, None with early_stopping, whose best_validation_score_ is -inf before an epoch; coefs_ and
        intercepts_: the network's own weight arrays; set them, as MLPClassifier's, to copy arrays in, checked first:
        a warm fit with early stopping then looks for its best anew, where MLPClassifier's may put its old best back).
    network_ : the trained `chainrule.Network`.
    """

    @takes_mlp_names
    def __init__(self, hidden_layer_sizes=(64,), activation="relu", optimizer="adam", learning_rate=1e-3,
                 momentum=0.9, batch_size=None, epochs=200, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, alpha=0.0, random_state=None, dtype="float64", verbose=0, warm_start=False,
                 shuffle=True, tol=1e-4, class_weight=None, clip_norm=None, clip_value=None):
        super().__init__(hidden_layer_sizes, activation, optimizer, learning_rate, momentum, batch_size, epochs,
                         early_stopping, validation_fraction, n_iter_no_change, alpha, random_state, dtype, verbose,
                         warm_start, shuffle, tol, clip_norm=clip_norm, clip_value=clip_value)
        self.class_weight = class_weight

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

    def _output(self, n_outputs):
        if self._kind == "multiclass":
            return "softmax", "categorical_crossentropy"
        return "sigmoid", "binary_crossentropy"

    def _stratify(self, Y):
        """The class indices of single-label targets (MLPClassifier stratifies two classes only: `unstratified`)."""
        return None if self._kind in ("multilabel-indicator", "unary") else Y.ravel()

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

    @as_before_if_refused(then="_warn_if_ran_out")
    def fit(self, X, y, sample_weight=None):
        """Train from scratch for `epochs` epochs; `sample_weight`: one weight >= 0 per sample (each
        batch's loss is the weighted mean of its samples' losses, as in MLPClassifier)."""
        warm = self._continues()
        sparse = sp.issparse(y)
        X, y = self._validated(X, y, reset=not warm)
        y = self._labels(y)
        if warm:
            self._same_kind(y, "warm_start")
            self._go_on()
            Y = self._encode(y)
        else:
            Y, n_out = self._setup(y, sparse=sparse)
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], n_out, self._rng)
        weights = self._class_weighted(X, y, sample_weight)
        self._train(X, y, Y, self.epochs, weights, fresh=not warm, scored=sample_weight)   # held out: no class's weight
        return self

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

    @as_before_if_refused(then="_warn_if_interrupted")
    def partial_fit(self, X, y, *more, classes=None, sample_weight=None):
        """One epoch more; `classes` (all the labels; for a multi-label y its columns' indices) is needed
        on the first call, as MLPClassifier's. classes and sample_weight by keyword: MLPClassifier's third
        argument is sample_weight, SGDClassifier's classes (a third given, `more`, is refused naming both)."""
        if more:
            raise ChainruleTypeError(f"{estimator_name(self)}.partial_fit takes classes and sample_weight by keyword "
                                     "(SGDClassifier's third argument is classes, MLPClassifier's sample_weight): "
                                     f"partial_fit(X, y, classes=...); got {len(more)} more positional argument"
                                     f"{'s' * (len(more) > 1)}: {more[0]!r:.80}")
        self._no_early_stopping()
        check_params(self)
        first = not hasattr(self, "network_")
        sparse = sp.issparse(y)
        X, y = self._validated(X, y, reset=first)
        y = self._labels(y)
        if first:
            if classes is None:           # as MLPClassifier, for multi-label targets too
                multilabel = type_of_target(y) == "multilabel-indicator"
                raise ValidationError("classes must be given on the first call to partial_fit (all the labels"
                                      + (f"; for a multi-label y, its columns' indices: classes=np.arange({y.shape[1]})"
                                         if multilabel else "") + ")")
            Y, n_out = self._setup(y, classes, sparse)
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], n_out, self._rng)
        elif classes is not None and not np.array_equal(labels := checked_classes(classes), self.classes_):
            raise ValidationError(f"classes={labels.tolist()!r} is not the same as on the first call to partial_fit "
                                  f"or fit: {self.classes_.tolist()}")
        else:
            self._same_kind(y, "partial_fit")
            Y = self._encode(y)
            self._same_network()
            self._new_activation()                  # as MLPClassifier's partial_fit: the activation now set
        sample_weight = self._class_weighted(X, y, sample_weight, partial=True)
        self._train(X, y, Y, 1, sample_weight, fresh=first, partial=True)
        return self

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes) (per label for multi-label)."""
        p = self._forward(X)
        if self._kind == "unary":           # the only class is certain (as DummyClassifier's, a tree's)
            return np.ones_like(p)
        if self._kind == "binary":
            return np.hstack([1.0 - p, p])
        return p

    def predict_log_proba(self, X):
        """The log of predict_proba (as MLPClassifier's)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The labels; for a multi-label y given sparse to the first fit, a sparse matrix (as MLPClassifier's)."""
        labels = self._predicted(self._forward(X))
        return sp.csr_matrix(labels) if getattr(self, "_sparse_y", False) else labels

    def _predicted(self, p):
        if self._kind == "multilabel-indicator":
            return (p > 0.5).astype(np.int64)
        if self._kind == "unary":
            return np.repeat(self.classes_, p.shape[0])
        if self._kind == "binary":
            return self.classes_[(p[:, 0] > 0.5).astype(np.int64)]
        return self.classes_[np.argmax(p, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class BackpropRegressor(RegressorMixin, _Backprop):
    """A multilayer perceptron regressor trained by backpropagation: linear outputs, mean squared
    error; one output per target column (multi-output). Parameters as BackpropClassifier."""

    _mlp = "MLPRegressor"

    def _output(self, n_outputs):
        return "linear", "mse"

    @as_before_if_refused(then="_warn_if_ran_out")
    def fit(self, X, y, sample_weight=None):
        """Train from scratch for `epochs` epochs; `sample_weight`: one weight >= 0 per sample."""
        warm = self._continues()
        X, y = self._validated(X, numeric_y(y), reset=not warm, y_numeric=True)
        y = column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y    # as MLPRegressor, warning
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if warm:
            self._same_outputs(Y, "warm_start")
        self._y_1d = y.ndim == 1
        if warm:
            self._go_on()
        else:
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], Y.shape[1], self._rng)
        self._train(X, y, Y, self.epochs, sample_weight, fresh=not warm)
        return self

    @as_before_if_refused(then="_warn_if_interrupted")
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch more (the network is built on the first call)."""
        self._no_early_stopping()
        check_params(self)
        first = not hasattr(self, "network_")
        X, y = self._validated(X, numeric_y(y), reset=first, y_numeric=True)
        y = column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if first:
            self._y_1d = y.ndim == 1
            self._rng = check_random_state(self.random_state)
            self._build(X.shape[1], Y.shape[1], self._rng)
        else:
            self._same_outputs(Y, "partial_fit")
            self._same_network()
            self._new_activation()                  # as MLPRegressor's partial_fit: the activation now set
        self._train(X, y, Y, 1, sample_weight, fresh=first, partial=True)
        return self

    def _same_outputs(self, Y, call: str) -> None:
        """A warm start or partial_fit trains the network's outputs: y with another number of columns is refused."""
        if Y.shape[1] != self.network_.n_outputs:
            calls = "fit or partial_fit" if call == "partial_fit" else "fit"    # partial_fit follows either
            raise ValidationError(f"{estimator_name(self)}: {call} can only be used where `y` has as many columns as "
                                  f"in the previous call to {calls}. Previously got {self.network_.n_outputs}, `y` has "
                                  f"{Y.shape[1]}")

    def predict(self, X):
        return self._predicted(self._forward(X))

    def _predicted(self, out):
        return out[:, 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

