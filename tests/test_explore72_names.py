"""A generated data set's one sigmoid output (moons, circles, XOR) had no name beside its target in the drawing, where
a CSV file's classes and a fitted binary classifier's "P(yes)" had theirs: it reads "P(class 1)" as the binary
classifier's does, its title "the probability of class 1", and its column of targets is measured with the name (no
label past the drawing). A share code refused for a dict of many keys was cut at 200 characters mid-key, mid-list:
it now lists whole keys and says how many more it left out."""
import base64
import json
import re
import zlib

import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

from chainrule.errors import ValidationError
from chainrule.teach.explore import export
from chainrule.teach.explore.session import Session

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures


@pytest.mark.parametrize("data", ["moons", "circles", "xor"])
def test_a_data_sets_output_is_named_as_the_probability_of_class_1(page, data):
    page.select_option('[data-id="data"]', data)
    expect(page.locator('[data-id="sample-row"]')).to_be_visible()
    target = page.locator('[data-id="graph"] .target-value')
    expect(target).to_have_count(1)
    expect(target).to_have_text(re.compile(r"^P\(class 1\): "))
    title = page.locator('[data-id="graph"] .unit title').filter(has_text=re.compile("^o1 "))
    assert title.text_content().split("\n")[0] == "o1 (the probability of class 1)"
    page.screenshot(path=f"/tmp/explore72-{data}-after.png")
    drawing = page.locator('[data-id="graph"]').bounding_box()
    box = target.bounding_box()
    assert box["x"] + box["width"] <= drawing["x"] + drawing["width"] + 0.5      # the column measured with its name


def test_a_data_sets_report_and_chain_rule_name_its_output():
    s = Session()
    s.load("dataset", name="moons", n=100, noise=0.1, seed=0)
    s.select("o1")
    assert s.state()["derivation"]["title"].endswith(", the probability of class 1")
    assert "Outputs: o1 = the probability of class `1`." in export.markdown(s)
    assert s.state()["names"]["classes"] == ["class 0", "class 1"]          # the boundary's key, as before


def with_model(model: dict) -> str:
    """A real page's share code whose model part is `model`."""
    code = Session().share()
    p = json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))
    p["model"] = model
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(p).encode())).decode().rstrip("=")


def test_a_refused_dict_of_many_keys_is_cut_at_a_key_and_says_how_many_more():
    keys = [f"setting_{k:02d}" for k in range(60)]
    with pytest.raises(ValidationError, match="model must hold a title") as refused:
        Session().load_share(with_model({k: 1 for k in keys}))
    listed = str(refused.value).split("; got a dict of ", 1)[1]
    found = re.fullmatch(r"\[((?:'setting_\d\d', )+)\.\.\. \((\d+) more\)\]", listed)
    assert found, listed
    shown = found[1].rstrip(", ").split(", ")
    assert shown == [repr(k) for k in keys[:len(shown)]] and len(shown) + int(found[2]) == 60


def test_a_refused_dict_of_a_long_key_quotes_it_cut_and_whole_list():
    with pytest.raises(ValidationError) as refused:
        Session().load_share(with_model({"k" * 500: 1}))
    assert str(refused.value).endswith("; got a dict of ['" + "k" * 39 + "…']")
