"""The explorer with a model opened from a file whose Network card is changed (its dtype, Dropout and
activation settings kept, the page saying what changed), and the share refusal's numbers as a person
reads them.

Oracles: the model file (`cr.load`: its layers and dtype), networks built here layer by layer with
chainrule's public API, NumPy's largest weight, the page's DOM and screenshots in chromium. API tests
use Starlette's TestClient; browser tests use test_explore_browser's fixtures (a server on 127.0.0.1,
Debian's chromium)."""
import functools
import re

import numpy as np
import pytest
import test_explore_browser as fixtures
from conftest import csv_model
from starlette.testclient import TestClient
from test_explorer_4 import received, started

import chainrule as cr
from chainrule.saving.npz import save
from chainrule.teach.explore.server import create_app
from chainrule.teach.explore.session import Session

TOKEN = "explorer-5-token"
browser, shots = fixtures.browser, fixtures.shots  # this module's own
open_page = functools.partial(fixtures.open_session, token=TOKEN)
act = functools.partial(fixtures.session_act, token=TOKEN)
LEAKY = {"name": "leaky_relu", "alpha": 0.2}


def model_file(tmp_path, dtype="float32", rate=0.25):
    """A model as `chainrule train` writes it (weights and the CSV preprocessing of conftest's
    4-input file), with a Dropout layer after each hidden layer and a leaky_relu of alpha 0.2."""
    path, pre = csv_model(tmp_path)
    net = cr.Network([cr.Dense(4, 5, LEAKY), cr.Dropout(rate), cr.Dense(5, 3, "tanh"), cr.Dropout(0.1),
                      cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", dtype=dtype, seed=3)
    save(net, str(path), extra={"tabular": pre.to_json()})
    return path


def test_a_new_architecture_keeps_the_models_dtype_dropout_and_alpha_and_says_so(tmp_path):
    """One hidden layer fewer on a float32 model with Dropout: the new network is float32, with the Dropout
    after its remaining hidden layer and its leaky_relu's alpha, layer for layer what the same network
    built by hand is; its new weights are those the Network card's Init and seed draw for it; the page
    says the file's weights are gone, what was kept and what was not (the second Dropout), and the
    file's columns still name the inputs."""
    path = model_file(tmp_path)
    on_file = cr.load(str(path))
    s = Session(started(path))
    assert s.net.config() == on_file.config()
    state = s.act("set_architecture", {"hidden": [4], "activations": ["leaky_relu"], "seed": 5})
    truth = cr.Network([cr.Dense(4, 4, LEAKY), cr.Dropout(0.25), cr.Dense(4, 2, "softmax")],
                       loss="categorical_crossentropy", dtype="float32", seed=5)
    assert s.net.config() == truth.config()
    assert s.net.params.dtype == np.float32 and np.array_equal(s.net.params, truth.params)
    said = state["message"]
    assert f"the weights of {path} are gone" in said
    assert "float32" in said and "Dropout 0.25 after hidden layer 1" in said and "alpha 0.2" in said
    assert re.search(r"Not kept: the Dropout 0\.1 after hidden layer 2 \(the network has 1 hidden layer now\)",
                     said), said
    assert state["names"]["inputs"] == ["size", "weight", "colour=blue", "colour=red"]
    assert state["unshown"] == ["float32", "leaky_relu's alpha 0.2 in hidden layer 1",
                                "Dropout 0.25 after hidden layer 1"]
    assert state["title"] == f"Your network on the sample of {path}"
    X = np.array([[0.1, -0.2, 1.0, 0.0]])
    assert np.array_equal(s.net.predict(X), truth.predict(X))
    # the next change: the weights were already new, the model's settings are kept again
    said = s.act("set_architecture", {"hidden": [4, 2], "activations": ["relu", "tanh"]})["message"]
    assert "are gone" not in said and "float32" in said and "alpha" not in said     # relu: no alpha to keep
    assert s.net.config() == cr.Network([cr.Dense(4, 4, "relu"), cr.Dropout(0.25), cr.Dense(4, 2, "tanh"),
                                         cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy",
                                        dtype="float32").config()
    s.act("undo")
    s.act("undo")
    assert s.net.config() == on_file.config() and np.array_equal(s.net.params, on_file.params)


def test_a_model_with_another_number_of_inputs_no_longer_names_them_by_the_files_columns(tmp_path):
    """One input more: the file's columns no longer name the inputs; the page says so, and where the sample
    came from no longer names the file's row."""
    s = Session(started(model_file(tmp_path)))
    state = s.act("set_architecture", {"inputs": 5})
    assert state["names"] is None and s.X.shape == (1, 5)
    assert "columns and classes no longer name the inputs and outputs" in state["message"]
    assert "size=" not in state["sample_from"] and "resized" in state["sample_from"]


def test_a_seed_network_changed_says_nothing_of_a_file():
    """The seed's network (float64, no Dropout) rebuilt: no message, as before (the card shows all of it)."""
    s = Session()
    state = s.act("set_architecture", {"hidden": [3], "activations": ["sigmoid"], "init": "auto"})
    assert state["message"] == "" and s.net.params.dtype == np.float64


def test_a_changed_model_is_shared_with_its_dropout_and_dtype(tmp_path):
    """The changed model's page shared: the receiver's network is the sender's, layer for layer."""
    path = model_file(tmp_path)
    sender = TestClient(create_app(TOKEN, lambda: Session(started(path))))
    a = open_page(sender)
    act(sender, a["session"], "set_architecture", hidden=[3], activations=["leaky_relu"])
    shared = act(sender, a["session"], "step")["state"]
    code = act(sender, a["session"], "share")["code"]
    receiver, b = received(code)
    assert receiver.net.config() == cr.Network(
        [cr.Dense(4, 3, LEAKY), cr.Dropout(0.25), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy",
        dtype="float32").config()
    assert b["state"]["E_total"] == shared["E_total"]


def test_the_share_refusal_names_the_weight_and_writes_it_as_a_person_reads_it():
    """A diverged network's share refusal names its largest weight as the drawing labels it, and writes its
    value with thousands separators (no 2.95e+07), within the 3 figures written of NumPy's largest |w|."""
    s = Session()
    s.act("set_architecture", {"hidden": [2], "activations": ["linear"], "output_activation": "linear",
                               "init": "auto"})
    s.act("set_optimizer", {"lr": 1000})
    s.act("step")
    state = s.act("step")
    with pytest.raises(cr.errors.ValidationError) as refused:
        s.share()
    said = str(refused.value)
    assert not re.search(r"\de[+-]?\d", said), said
    name, number = re.search(r"in this network (\w+) is about (-?[\d,]+):", said).groups()
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})+", number)
    largest = float(np.max(np.abs(s.net.params)))
    value = next(p["value"] for p in state["params"] if p["name"] == name)
    assert abs(value) == largest and np.sign(value) == np.sign(float(number.replace(",", "")))
    assert abs(abs(float(number.replace(",", ""))) - largest) <= 0.005 * largest


def test_the_network_card_on_a_model_says_what_changed(browser, tmp_path, shots):
    """A teacher opens a trained model and adds a unit on the Network card: the page says the file's weights
    are gone and what it kept; the title says whose sample it is; the drawing fits the page."""
    path = model_file(tmp_path)
    with fixtures.model_page(browser, None, session=lambda _: Session(started(path))) as page:
        kept = "Also in this network (kept when you change it here): float32, leaky_relu's alpha 0.2 in hidden " \
               "layer 1, Dropout 0.25 after hidden layer 1, Dropout 0.1 after hidden layer 2."
        fixtures.expect(page.locator('[data-id="unshown"]')).to_have_text(kept)
        opened = fixtures.etotal(page)
        page.screenshot(path=str(shots / "explore-5-model.png"), full_page=True)
        page.locator('[data-id="arch"] [data-d="1"]').first.click()
        fixtures.expect(page.locator('[data-id="info"]')).to_contain_text("are gone")
        said = page.inner_text('[data-id="info"]')
        assert f"the weights of {path} are gone" in said and "float32" in said and "Dropout 0.25" in said
        fixtures.expect(page.locator('[data-id="title"]')).to_have_text(f"Your network on the sample of {path}")
        fixtures.expect(page.locator('[data-id="unshown"]')).to_have_text(kept)       # one more unit: all kept
        # the Data menu names what is loaded now, and still offers the file's network to go back to
        assert page.eval_on_selector('[data-id="data"]', "s => s.options[s.selectedIndex].textContent") \
            == page.inner_text('[data-id="title"]')
        assert fixtures.no_horizontal_overflow(page)
        page.screenshot(path=str(shots / "explore-5-model-changed.png"), full_page=True)
        page.select_option('[data-id="data"]', "start")
        fixtures.expect(page.locator('[data-id="title"]')).to_have_text(str(path))
        assert fixtures.etotal(page) == opened and page.locator('[data-id="data"] option[value="now"]').count() == 0
        page.select_option('[data-id="data"]', "seed")             # the seed's network: nothing unshown
        fixtures.expect(page.locator('[data-id="title"]')).to_have_text("The seed's 2-2-2 network")
        assert page.locator('[data-id="unshown"]').count() == 0
