"""The estimators' coefs_ and intercepts_: read as MLPClassifier's, and set as its are (`est.coefs_ = [...]`, say
from another fitted MLP), into the network's own arrays, checked first."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ChainruleError, ChainruleTypeError, ValidationError
from ..nn.checks import weight_arrays
from ..nn.network import Network
from .params import estimator_name


class _LayerArrays(list):
    """The list coefs_ (intercepts_) reads, of the network's own arrays: an item set, `est.coefs_[0] = W` (as
    MLPClassifier's plain list takes it), is copied into the network, checked, instead of changing a list that
    nothing reads. Copied or pickled, it is a plain list."""

    def __init__(self, arrays: list[np.ndarray], owner: _Weights, attribute: str, name: str) -> None:
        super().__init__(arrays)
        self._owner, self._attribute, self._name = owner, attribute, name

    def __setitem__(self, index: Any, value: Any) -> None:
        items = list(self)
        items[index] = value
        self._owner._set_arrays(self._attribute, self._name, items)

    def __reduce__(self) -> tuple:
        return list, (list(self),)

    def _refuse(self, method: str) -> Any:
        """A change to the list's length or order would change a list that nothing reads: refused, naming what does."""
        who = f"{estimator_name(self._owner)}.{self._attribute}"
        raise ChainruleTypeError(f"{who} holds one array per layer of the fitted network, in order: {method} would "
                                 f"change a list that nothing reads; set an item ({self._attribute}[0] = array) or "
                                 f"the whole list ({self._attribute} = [...]), or edit an array in place")

    def __delitem__(self, index: Any) -> None:
        self._refuse("del")

    def __iadd__(self, other: Any) -> Any:      # type: ignore[misc]  # refused, so no list returned
        return self._refuse("+=")

    def __imul__(self, other: Any) -> Any:      # type: ignore[misc]  # refused, so no list returned
        return self._refuse("*=")

    def append(self, value: Any) -> None:
        self._refuse("append")

    def extend(self, values: Any) -> None:
        self._refuse("extend")

    def insert(self, index: Any, value: Any) -> None:
        self._refuse("insert")

    def pop(self, index: Any = -1) -> Any:
        return self._refuse("pop")

    def remove(self, value: Any) -> None:
        self._refuse("remove")

    def clear(self) -> None:
        self._refuse("clear")

    def reverse(self) -> None:
        self._refuse("reverse")

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._refuse("sort")


class _Weights:
    """coefs_ and intercepts_ over the fitted network_ (the Dense layers' W and b)."""

    def _fitted_network(self, attribute: str) -> Network:
        """The network, or for an unfitted estimator the AttributeError MLPClassifier's `attribute` gives."""
        if "network_" not in self.__dict__:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attribute}'")
        return self.__dict__["network_"]

    @property
    def coefs_(self) -> list[np.ndarray]:
        """The layers' weights, each (n_in, n_out), as MLPClassifier's coefs_: the network's own arrays."""
        return _LayerArrays([layer.W for layer in self._fitted_network("coefs_").dense_layers], self, "coefs_", "W")

    @coefs_.setter
    def coefs_(self, value: Any) -> None:
        self._set_arrays("coefs_", "W", value)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The layers' biases, as MLPClassifier's intercepts_: the network's own arrays."""
        return _LayerArrays([layer.b for layer in self._fitted_network("intercepts_").dense_layers], self,
                            "intercepts_", "b")

    @intercepts_.setter
    def intercepts_(self, value: Any) -> None:
        self._set_arrays("intercepts_", "b", value)

    def _set_arrays(self, attribute: str, name: str, value: Any) -> None:
        """MLPClassifier's coefs_ and intercepts_ are plain lists that a user may replace (another fit's weights): here
        they are the network's arrays, so the arrays given are copied into them, each checked against its layer's
        shape (one array per layer, numbers, finite) before any is set."""
        who = estimator_name(self)
        if "network_" not in self.__dict__:
            raise ValidationError(f"{who}.{attribute} sets the fitted network's arrays: fit (or partial_fit) first, "
                                  "which builds the network")
        layers = self.__dict__["network_"].dense_layers
        n = len(layers)
        if isinstance(value, np.ndarray) and value.dtype != object or not isinstance(value, (list, tuple, np.ndarray)):
            raise ChainruleTypeError(f"{who}.{attribute} must be a list of {n} arrays, one per layer, as {attribute} "
                                     f"reads; got {type(value).__name__}")
        shapes = [(f"layer {i + 1} of {n}", getattr(layer, name).shape) for i, layer in enumerate(layers)]
        try:
            arrays = weight_arrays(list(value), shapes, getattr(layers[0], name).dtype,
                                   owner=f"{who}.{attribute} takes one array per layer")
        except ChainruleError as exc:          # its words name weights[i]: the attribute's item here
            raise type(exc)(str(exc).replace("weights[", f"{who}.{attribute}[", 1)) from None
        for layer, array in zip(layers, arrays, strict=True):
            getattr(layer, name)[...] = array
