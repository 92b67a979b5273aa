"""A generated data set's (moons, xor, ...) one sigmoid output had no name in the drawing, its title and the
Markdown export, while a binary classifier's reads "P(yes)": it is the probability of class 1 (the data sets' labels
are 0 and 1), drawn "P(class 1)" in a real browser (test_explore71_binary's notebook page), its title and report
saying so; the drawn value is the network's own output for the first sample."""
import pytest
import test_explore_browser as fixtures
import test_notebook68_page as cells

from chainrule.teach.explore import export
from chainrule.teach.explore.widget import Explorer

browser = fixtures.browser


@pytest.mark.parametrize("name", ["moons", "xor"])
def test_a_data_sets_output_reads_as_the_probability_of_class_1(browser, name):
    widget = Explorer()
    s = widget.session
    s.load("dataset", name=name)
    value = float(s.state()["layers"][-1]["units"][0]["shown"]["out"][0])
    assert value == pytest.approx(float(s.net.predict(s.X[:1])[0, 0]), abs=1e-8)
    s.select("o1")
    assert s.state()["derivation"]["title"].endswith("the probability of class 1")
    assert "Outputs: o1 = the probability of class `1`." in export.markdown(s)
    pg, problems = cells.notebook(browser, {"a": widget})
    targets = pg.locator('#a [data-id="graph"] .target-value')
    targets.first.wait_for()
    shown = [t.rsplit(":", 1)[0] for t in targets.all_text_contents()]
    titles = [t for t in pg.locator('#a [data-id="graph"] title').all_text_contents() if t.startswith("o1 (")]
    pg.close()
    assert problems == []
    assert shown == ["P(class 1)"]
    assert [t.split("\n")[0] for t in titles] == ["o1 (the probability of class 1)"]
