"""The notebook widget where the page cannot show: anywidget missing says how to install it (as every optional part
does), and a front end without widgets (a terminal's IPython, a notebook viewer) reads which network it is and
where the page shows, not `<chainrule.teach.explore.widget.Explorer object at 0x7f...>`."""
import importlib
import json
import sys

import pytest

import chainrule as cr

pytest.importorskip("anywidget")


def test_without_anywidget_the_import_names_the_package_and_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)          # as if not installed
    monkeypatch.delitem(sys.modules, "chainrule.teach.explore.widget", raising=False)
    with pytest.raises(ModuleNotFoundError) as caught:
        importlib.import_module("chainrule.teach.explore.widget")
    said = str(caught.value)
    assert caught.value.name == "anywidget"
    assert "Explorer" in said and "needs anywidget" in said and "pip install" in said and "[explore]" in said


def test_a_broken_anywidget_keeps_its_own_error(monkeypatch):
    """anywidget there but one of its own imports missing: its error, which a pip line of anywidget would not mend."""
    import builtins
    real = builtins.__import__

    def broken(name, *args, **kwargs):
        if name == "anywidget":
            raise ModuleNotFoundError("No module named 'psygnal'", name="psygnal")
        return real(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "chainrule.teach.explore.widget", raising=False)
    monkeypatch.setattr(builtins, "__import__", broken)
    with pytest.raises(ModuleNotFoundError, match="psygnal"):
        importlib.import_module("chainrule.teach.explore.widget")


def test_the_plain_text_repr_names_the_network_and_where_the_page_shows():
    from chainrule.teach.explore.widget import Explorer
    net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    bundle, _ = Explorer(net)._repr_mimebundle_()
    plain = bundle["text/plain"]
    assert plain.startswith("Explorer(your network, 4-8-3)") and " at 0x" not in plain
    assert "Jupyter" in plain and "chainrule explore" in plain
    seed = repr(Explorer())
    assert seed.startswith("Explorer(The seed's 2-2-2 network)")
    # the widget's own part: the view a notebook front end draws, as JSON a notebook file keeps
    view = json.loads(json.dumps(bundle["application/vnd.jupyter.widget-view+json"]))
    assert view["version_major"] == 2 and len(view["model_id"]) == 32
