"""A loss that spans a factor of 10 or more is drawn on a log scale, as the explorer's loss chart draws it: on a
linear axis a diverged run's every epoch but its last lay on 0, and a long run's later epochs flat under its first."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from chainrule.teach import plot  # noqa: E402


def drawn_loss(monkeypatch, tmp_path, history):
    fig = drawn_figure(monkeypatch, lambda: plot.training_curves(history, tmp_path / "c.png"))
    FigureCanvasAgg(fig).draw()            # ticks placed and labelled, as saved
    return fig.axes[0]


def test_a_diverged_runs_loss_is_on_a_log_scale_each_epoch_apart(tmp_path, monkeypatch):
    """A loss from 1e32 to 1e280 (SGD at lr 1e6 on iris): the epochs before the last were drawn at 0."""
    loss = [2.8e32, 1.5e79, 2.2e126, 5.0e173, 3.7e221, 9.0e268]
    history = {"loss": loss, "val_loss": [v * 1e12 for v in loss], "accuracy": [0.5, 0.0, 0.0, 0.1, 0.0, 0.0]}
    ax = drawn_loss(monkeypatch, tmp_path, history)
    assert ax.get_yscale() == "log"
    assert "(log scale)" in ax.get_ylabel()
    training, validation = (line for line in ax.get_lines() if line.get_label() in ("training", "validation"))
    np.testing.assert_array_equal(training.get_ydata(), loss)          # the history's numbers, each its epoch's
    low, high = ax.get_ylim()
    assert low < min(loss) and max(history["val_loss"]) < high < 1e308
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    assert 3 <= len(ticks) <= 8 and all(np.isfinite(ticks))


def test_a_long_runs_loss_falling_from_a_high_first_epoch_is_on_a_log_scale(tmp_path, monkeypatch):
    """2000 epochs from 2.4 to 0.03: on a linear axis the last thousand epochs lay flat under the first's height."""
    loss = 2.4 * np.exp(-np.linspace(0, np.log(80), 2000))
    ax = drawn_loss(monkeypatch, tmp_path, {"loss": list(loss)})
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "loss (log scale)"
    low, high = ax.get_ylim()
    assert low < loss.min() and loss.max() < high


@pytest.mark.parametrize("loss", [[0.7, 0.5, 0.3, 0.16], [2.0, 0.5, 0.0, 0.0], [5.0, 0.1, -0.5, -2.0]])
def test_a_loss_within_a_decade_or_reaching_0_stays_linear(tmp_path, monkeypatch, loss):
    """Under a factor of 10 a linear axis reads best; a loss of 0 (or a custom one below 0) has no place on a log
    one."""
    ax = drawn_loss(monkeypatch, tmp_path, {"loss": loss})
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == "loss"


def test_a_regressions_long_loss_name_keeps_log_scale_whole(tmp_path, monkeypatch):
    """`plot curves` names a regression's loss 'loss (mse) of the standardised target' and its standardisation:
    the '(log scale)' after it was broken over two lines, '(log' and 'scale)'."""
    label = "loss (mse) of the standardised target\n('progression' - mean 151.513) / std 77.0692"
    fig = drawn_figure(monkeypatch, lambda: plot.training_curves({"loss": [2.4, 0.5, 0.03]}, tmp_path / "c.png",
                                                                 loss_label=label))
    lines = fig.axes[0].get_ylabel().split("\n")
    assert "(log scale)" in lines and lines[0] == "loss (mse) of the standardised target", lines
    assert all(len(line) <= 46 for line in lines), lines


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("loss", [[2.8e32, 1.5e79, 3.7e221, 1.5e308], [3e305, 1.7e308], [1.0, 1e-3, 1e-310]])
def test_a_loss_near_the_largest_or_smallest_float_lies_within_the_axis(tmp_path, monkeypatch, loss):
    """A diverged run's last finite loss can lie between 1e307 and the largest float (1.8e308), a run fitted to the
    last bit below 1e-307: the axis ended at 1e307 (and began at 1e-307), that epoch drawn off it, and numpy and
    matplotlib warned of an overflow."""
    ax = drawn_loss(monkeypatch, tmp_path, {"loss": loss})
    low, high = ax.get_ylim()
    assert ax.get_yscale() == "log" and low <= min(loss) and max(loss) <= high < np.inf
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    assert 2 <= len(ticks) <= 8 and all(np.isfinite(ticks))
