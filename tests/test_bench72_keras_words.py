"""The README's Performance section says how Keras 3 was measured in that run: jitted on JAX where JAX is
installed, eager on PyTorch where it is not (run.keras_backend's choice). It said "jitted" in both cases."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import run  # noqa: E402
import snippet  # noqa: E402


@pytest.mark.parametrize("jax_installed", [True, False])
def test_the_words_name_the_backend_keras_ran_on(monkeypatch: pytest.MonkeyPatch, jax_installed: bool) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (real("math") if jax_installed else None) if name == "jax" else real(name, *a))
    words = snippet.keras_words()
    assert run.keras_backend() == ("jax" if jax_installed else "torch")
    if jax_installed:
        assert "Keras 3 on JAX (jitted" in words
    else:
        assert "Keras 3 on PyTorch (eager)" in words and "jitted" not in words.split("Keras 3")[1]
