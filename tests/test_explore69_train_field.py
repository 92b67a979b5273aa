"""The page's number fields as a learner types in them, in a real browser (Playwright, Debian's chromium): Train with
2.5 steps said "Stopped after 0 of 2.5 steps" under its refusal (no run had begun); "1,000" steps, the page's own
writing of a count, was refused as "not a finite number"; a weight typed with a decimal comma ("1,5") was refused
without the point the page reads. The fixtures (a server on 127.0.0.1, stopped by the module, and the browser) are
test_explore_browser's."""
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
import torch
from playwright.sync_api import expect

from chainrule.teach.explore.derive import fmt

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures


def seed_after(steps):
    """The seed network's E_total after `steps` steps of gradient descent (η 0.5, biases fixed), by torch."""
    x, t = torch.tensor([0.05, 0.1], dtype=torch.float64), torch.tensor([0.01, 0.99], dtype=torch.float64)
    W1 = torch.tensor([[0.15, 0.2], [0.25, 0.3]], dtype=torch.float64, requires_grad=True)   # rows: h1, h2
    W2 = torch.tensor([[0.4, 0.45], [0.5, 0.55]], dtype=torch.float64, requires_grad=True)   # rows: o1, o2
    opt = torch.optim.SGD([W1, W2], lr=0.5)

    def loss():
        out = torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + 0.35) + 0.6)
        return 0.5 * ((t - out) ** 2).sum()
    for _ in range(steps):
        opt.zero_grad()
        loss().backward()
        opt.step()
    return loss().item()


def train(page, typed):
    field = page.locator('[data-id="train-steps"]')
    field.fill(typed)
    field.press("Enter")
    phone.idle(page)
    expect(page.locator('[data-id="train"]')).to_have_text("Train")


def test_a_refused_step_count_is_said_once_not_as_a_run_stopped(page):
    assert fixtures.etotal(page) == fmt(seed_after(0))
    for typed, said in (("2.5", "steps must be an integer from 1 to 1,000,000"), ("1000001", "at most 1,000,000")):
        train(page, typed)
        expect(page.locator('[data-id="error"]')).to_contain_text(said)
        expect(page.locator('[data-id="info"]')).to_be_hidden()
    assert fixtures.etotal(page) == fmt(seed_after(0))            # nothing trained


def test_a_step_count_written_in_groups_of_three_trains_that_many(page):
    train(page, "1,000")
    expect(page.locator('[data-id="emeta"]')).to_contain_text("step 1,000")
    assert fixtures.etotal(page) == fmt(seed_after(1000))
    expect(page.locator('[data-id="error"]')).to_be_hidden()


def test_a_decimal_comma_is_answered_with_the_point(page):
    page.click('.labels [data-name="w5"]')
    field = page.locator(".derivation form.editor input")
    for typed, point in (("1,5", "1.5"), ("-0,25", "-0.25")):
        field.fill(typed)
        field.press("Enter")
        expect(page.locator('[data-id="error"]')).to_contain_text(f'"{typed}" is not a finite number (write decimals '
                                                                  f"with a point: {point}); nothing was changed")
    assert fixtures.etotal(page) == fmt(seed_after(0))


def test_a_step_count_with_a_comma_out_of_groups_of_three_is_answered_as_a_count(page):
    """"1,5" steps was answered "write decimals with a point: 1.5", which the server then refuses (steps are whole);
    "1,0000" was answered "1.0000". A count's own writing is the answer, and nothing trains."""
    for typed in ("1,5", "1,0000", "10,00"):
        train(page, typed)
        expect(page.locator('[data-id="error"]')).to_contain_text(
            f'Steps to train: "{typed}" is not a finite number (a count is written 10000, or in groups of three: '
            "10,000); nothing was changed")
    assert fixtures.etotal(page) == fmt(seed_after(0))


def test_a_weight_written_in_groups_of_three_is_answered_with_both_readings(page):
    """"1,000" in a weight's field is a thousand, or 1.000 written with a decimal comma: it was answered "write
    decimals with a point: 1.000" alone; "-55,300,000", a weight as the page writes a large one, had no answer."""
    page.click('.labels [data-name="w5"]')
    field = page.locator(".derivation form.editor input")
    for typed, said in (("1,000", "(write a number without commas, 1000, and decimals with a point, 1.000)"),
                        ("-55,300,000", "(write a number without commas, -55300000)")):
        field.fill(typed)
        field.press("Enter")
        expect(page.locator('[data-id="error"]')).to_contain_text(f'"{typed}" is not a finite number {said}; '
                                                                  "nothing was changed")
    assert fixtures.etotal(page) == fmt(seed_after(0))
