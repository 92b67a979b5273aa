"""The explorer as a teacher reads it: large numbers in the neuron cards grouped in threes as the weight
labels are, without widening the cards; one rule (3 significant figures) for the labels' short form and the
share refusal; bias lines a phone draws readably; an output heading's activation whole beside a Dropout mark.

Oracles: NumPy's forward pass of the weights set here, Python's Decimal (3 significant figures of the exact
value), the page's DOM and geometry in chromium. Browser tests use test_explore_browser's fixtures (a server
on 127.0.0.1, Debian's chromium)."""
import re

import numpy as np
import test_explore_browser as fixtures

import chainrule as cr
from chainrule.teach.explore.session import Session

browser, shots = fixtures.browser, fixtures.shots  # this module's own
GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def recording(holder):
    """A session factory that keeps the session, so a test reads the sample the page draws."""
    def start(begin):
        holder["session"] = Session(begin)
        return holder["session"]
    return start


def output_net(net, X):
    """The output layer's net input for the rows X, with NumPy alone (the seed's sigmoid hidden layer)."""
    hidden, out = net.layers
    return 1 / (1 + np.exp(-(X @ hidden.W + hidden.b))) @ out.W + out.b


def test_a_cards_large_net_is_grouped_in_threes_without_widening_the_card(browser, shots):
    """o1's net input of about -3.26 million (w5 = -2,980,000, w6 and b_o1 = -990,000) is written in its card
    grouped in threes, as the weight labels are, its number NumPy's net input to the decimals written; every
    card line lies inside its card, and the weights' labels are all still drawn between the cards."""
    net = cr.examples.seed_network()[0]
    net.layers[1].W[:, 0] = [-2.98e6, -9.9e5]
    net.layers[1].b[0] = -9.9e5
    holder = {}
    with fixtures.model_page(browser, net, session=recording(holder)) as page:
        X = holder["session"].X[:1]
        want = output_net(net, X)[0, 0]
        line = page.locator('.unit[data-name="o1"] .unit-value').first.text_content()
        number = re.fullmatch(r"net (\S+)", line).group(1)
        assert GROUPED.fullmatch(number), line
        decimals = len(number.partition(".")[2])
        assert decimals >= 2 and abs(float(number.replace(",", "")) - want) <= 0.5 * 10 ** -decimals + 1e-6, (line, want)
        inside = page.evaluate("""() => [...document.querySelectorAll('[data-id="graph"] .unit')].every(u => {
            const card = u.querySelector('.shape').getBBox();
            return [...u.querySelectorAll('text')].every(t => { const b = t.getBBox();
              return b.x >= card.x && b.x + b.width <= card.x + card.width; }); })""")
        assert inside
        drawn = page.locator('[data-id="graph"] .labels .wlabel').count()
        assert drawn == len(holder["session"].state()["params"]), drawn
        page.locator(".graph-card").screenshot(path=str(shots / "explore-7-large-net.png"))
