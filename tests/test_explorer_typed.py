"""A refused optimizer setting quotes the number typed: "got 0" for 0 and "got -1" for -1 (it said "got 0.0" and
"got -1.0", a number nobody typed). Oracle: the text typed into the page's field, in chromium (test_explore_browser's
fixtures: a server on 127.0.0.1, Debian's chromium)."""
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own


@pytest.mark.parametrize("method, field, typed", [
    ("sgd", "lr", "-1"), ("momentum", "momentum", "1"), ("adam", "eps", "0"),
    ("momentum", "momentum", "1.5"), ("adam", "beta1", "1"), ("rmsprop", "alpha", "2"),   # the engine's refusals
])
def test_a_refused_setting_quotes_the_number_typed(page, method, field, typed):
    page.select_option('[data-id="opt"]', method)
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    box = f'[data-setting="{field}"]'
    before = page.input_value(box)
    page.fill(box, typed)
    page.press(box, "Enter")
    expect(page.locator('[data-id="error"]')).to_be_visible()
    assert page.inner_text('[data-id="error-text"]').endswith(f"; got {typed}")
    assert page.input_value(box) == before


@pytest.mark.parametrize("method, field, typed", [
    ("momentum", "momentum", "1.0"), ("adam", "eps", "-0"), ("adam", "eps", "0.00"), ("adam", "eps", "1e-400"),
])
def test_a_refused_setting_quotes_the_text_javascripts_number_rewrites(page, method, field, typed):
    """JSON.stringify writes 1.0 as 1, -0 and 0.00 as 0, and 1e-400 (below the smallest double) as 0: the refusal
    quotes the text of the field, not that number."""
    test_a_refused_setting_quotes_the_number_typed(page, method, field, typed)


@pytest.mark.parametrize("typed", ["2e6", "2000000.0"])
def test_a_refused_step_count_quotes_the_text_typed(page, typed):
    page.fill('[data-id="train-steps"]', typed)
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="error"]')).to_be_visible()
    said = page.inner_text('[data-id="error-text"]')
    assert said.startswith(f"steps: Train runs at most {10**6:,} steps at a time") and said.endswith(f"; got {typed}")
    expect(page.locator('[data-id="emeta"]')).to_have_text(fixtures.re.compile("^step 0 "))       # nothing trained


def test_a_refused_weight_quotes_the_text_typed(page):
    fixtures.set_in_editor(page, '.labels [data-name="w5"]', "2e6")
    assert page.inner_text('[data-id="error-text"]') == \
        f"w5 must be a finite number between -{10**6:,} and {10**6:,}; got 2e6"


@pytest.mark.parametrize("typed", [{"nope": "1"}, {"lr": 5}, "0.1", {"lr": "1" * 101}])
def test_a_typed_text_that_is_not_a_fields_text_is_refused_by_name(typed):
    from chainrule.errors import ValidationError
    from chainrule.teach.explore.session import Session
    s = Session()
    with pytest.raises(ValidationError, match=r"^typed must map the request's fields to the text typed in them"):
        s.act("set_optimizer", {"lr": 0.1, "typed": typed})
    assert s.opt_settings["lr"] == 0.5                       # unchanged: the seed's η
