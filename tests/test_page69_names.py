"""A CSV file's column and class names on the page (a real browser, test_explore_browser's server) as the reports
write them (`one_line`): a column named with a line break showed it as a space (reading as another name), and a
unit's title put its own quotes around a class, so a class named 's' (quotes and all) read ''s''."""
import re

import numpy as np
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

from chainrule.teach.escape import one_line

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures
COLUMN, TARGET, CLASSES = "a\nb", "the\nkind", ["'s'", "plain"]


def odd_csv(path):
    rows = np.random.default_rng(5).uniform(-1, 1, (30, 2))
    path.write_text('"a\nb",x2,"the\nkind"\n' + "".join(
        f"{x:.3f},{y:.3f},{CLASSES[int(x + y > 0)]}\n" for x, y in rows))
    return path


@pytest.mark.filterwarnings("ignore:CSV file 'odd.csv'.*quoted cell over several lines")   # its names, as meant
def test_odd_names_read_as_the_reports_write_them(page, tmp_path, shots):
    path = odd_csv(tmp_path / "odd.csv")
    with page.expect_file_chooser() as chooser:
        page.select_option('[data-id="data"]', "seed")
        page.select_option('[data-id="data"]', "csv")
    chooser.value.set_files(str(path))
    target = page.locator('[data-id="target"]')
    options = target.locator("option")
    expect(options).to_have_count(3)
    # the dropdown names each column as the reports do, and sends the file's own name back
    assert options.all_text_contents() == ["'a\\nb'", "x2", "'the\\nkind'"]
    assert [o.get_attribute("value") for o in options.all()] == [COLUMN, "x2", TARGET]
    page.select_option('[data-id="target"]', label="'the\\nkind'")
    page.click('[data-id="use-target"]')
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^odd.csv"))
    expect(page.locator('[data-id="data-settings"] b').first).to_have_text("'the\\nkind'")
    assert target.input_value() == TARGET
    graph = page.locator('[data-id="graph"]')
    title = graph.locator('.unit[data-name="i1"] > title').text_content()
    assert title.split("\n")[0] == f"i1 (column {one_line(COLUMN)})" == "i1 (column 'a\\nb')"
    assert graph.locator(".unit-label").first.text_content().startswith("'a\\nb' = ")
    for k, cls in enumerate(CLASSES):
        title = graph.locator(f'.unit[data-name="o{k + 1}"] > title').text_content()
        assert title.startswith(f"o{k + 1} (class {one_line(cls)} of 'the\\nkind')")
    assert "(class \"'s'\" of" in graph.locator('.unit[data-name="o1"] > title').text_content()
    expect(page.locator('[data-id="class-key"]')).to_contain_text("\"'s'\"")
    # the chain rule's card names the column as the drawing does (written on the server)
    graph.locator('.unit[data-name="i1"]').click()
    expect(page.locator('[data-id="derivation"]')).to_contain_text("column 'a\\nb'")
    page.screenshot(path=str(shots / "page69-odd-names.png"))
