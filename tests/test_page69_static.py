"""The page's own modules held to the package's size (test_architecture's 400 lines: app.js had grown to 418, its
controls and how a typed number is read in one file), and each of them joined into the notebook widget's bundle,
so that a module split off is not missing from the widget."""
import re

from chainrule.teach.explore import widget

LIMIT = 400


def test_no_page_module_over_400_lines():
    long = {p.name: n for p in widget.STATIC.glob("*.js") if (n := len(p.read_text().splitlines())) > LIMIT}
    assert not long, f"page modules over {LIMIT} lines (two ideas in one file?): {long}"


def test_every_module_the_page_imports_is_in_the_widgets_bundle_after_it():
    imports = {p.name: re.findall(r'^import .* from "\./(\w+\.js)";', p.read_text(), flags=re.MULTILINE)
               for p in widget.STATIC.glob("*.js")}
    assert set(widget.MODULES) == set(imports)
    for name, used in imports.items():          # the bundle is one scope: each module after those it uses
        assert all(widget.MODULES.index(u) < widget.MODULES.index(name) for u in used), (name, used)
    assert "function readTyped" in widget.bundle() and 'from "./reading.js"' not in widget.bundle()
