"""training_curves' refusal of a history whose val_ values are not those validation_freq validates counts its epochs
in plain grammar ("over 1 epoch", as BackupAndRestore's save_freq refusal says "every batch", not "every 1 batches")."""
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


@pytest.mark.parametrize("losses, said", [([0.5], "over 1 epoch validates 1"),
                                          ([0.5, 0.4], "over 2 epochs validates 2")])
def test_a_val_series_of_another_length_is_refused_counting_epochs_in_plain_grammar(tmp_path, losses, said):
    history = {"loss": losses, "val_loss": [0.4] * (len(losses) + 1)}
    with pytest.raises(ValidationError, match="validation_freq=1") as err:
        cr.plot.training_curves(history, tmp_path / "curves.png")
    assert said in str(err.value) and "1 epochs" not in str(err.value)
    assert not (tmp_path / "curves.png").exists()
