"""The explorer in a Jupyter notebook: the same page and the same engine session, as a widget.

    from chainrule.teach.explore.widget import Explorer
    w = Explorer()              # the seed network; Explorer(share="...") opens a share code
    w = Explorer(net)           # a cr.Network of yours (a copy: the page's is w.session.net)
    w = Explorer(est)           # a fitted BackpropClassifier or BackpropRegressor: its network, est.network_
    w = Explorer(net, X, y)     # on your samples (a Sample menu chooses the one shown); else one drawn at random
    w                           # (the last line of a cell shows it)
    w.session.net               # the network the page is driving, to use in the next cell

Needs anywidget (`pip install '.[explore]'` in the checkout). The page's requests travel as widget
messages to `Session.act` in the kernel: no server, no port, no token needed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

try:
    import anywidget
except ModuleNotFoundError as exc:       # the pip line, as every optional part's (anywidget there but broken: its own)
    from chainrule.extras import absent, missing
    if not absent(exc, "anywidget"):
        raise
    said = missing("anywidget", "the notebook explorer (Explorer) needs")
    raise ModuleNotFoundError(said, name="anywidget") from None
import numpy as np

import chainrule as cr
from chainrule.errors import ChainruleError, ValidationError

from . import export
from .session import Session, Start
from .wording import for_page

STATIC = Path(__file__).parent / "static"
NOTEBOOK = "your network"        # how the page names a network given to Explorer (a model file: by its name; an
                                 # estimator's: "BackpropClassifier's network")
# each after the modules it uses (transport.js, the page's fetch, is joined but not used)
MODULES = ("numbers.js", "reading.js", "svg.js", "layout.js", "labels.js", "graph.js", "charts.js", "template.js",
           "exports.js", "legend.js", "panels.js", "focus.js", "keys.js", "transport.js", "app.js", "widget.js")


def bundle() -> str:
    """The page's modules and widget.js as one ES module (their own imports and re-exports removed)."""
    parts = []
    for name in MODULES:
        text = (STATIC / name).read_text(encoding="utf-8")
        text = re.sub(r"^(import|export \{[^}]*\} from) .*?;\n", "", text, flags=re.MULTILINE)
        if name != "widget.js":
            text = re.sub(r"^export (?=function|const|async)", "", text, flags=re.MULTILINE)
        parts.append(f"// ---- {name}\n{text}")
    return "\n".join(parts)


def _estimator(given: Any) -> bool:
    return type(given).__module__.startswith("chainrule.sklearn")


def _labels(est: Any, y: Any) -> Any:
    """A classifier's labels as the targets its fit trains its network on (its own `_encode`: a class's index, a
    single class's probability 1); else y as it is."""
    if getattr(est, "classes_", None) is None or y is None:
        return y
    try:
        return est._encode(est._labels(np.asarray(y)))
    except ValidationError as exc:
        raise ValidationError(f"Explorer: {exc}") from None


def _outputs(est: Any, net: Any) -> list[str] | None:
    """A fitted classifier's outputs named as its predict_proba's columns are, by classes_ (one sigmoid output of two
    classes: the second's probability); None for a regressor, or outputs that are not one per class."""
    classes = getattr(est, "classes_", None)
    if classes is None or np.ndim(classes) != 1:
        return None
    names = [str(c) for c in classes]
    return names if len(names) == net.n_outputs else names[1:] if len(names) == 2 == net.n_outputs + 1 else None


def _network_of(given: Any) -> Any:
    """A scikit-learn estimator of chainrule's (BackpropClassifier, BackpropRegressor) as the network it fitted,
    `network_`, which the page opens as it opens a cr.Network; one not fitted yet refused naming fit. Else `given`."""
    if not _estimator(given):
        return given
    net = getattr(given, "network_", None)
    if not isinstance(net, cr.Network):
        raise TypeError(f"Explorer: this {type(given).__name__} is not fitted yet; call its fit(X, y) first (the "
                        f"explorer opens the network it fitted, its network_)")
    return net


class Explorer(anywidget.AnyWidget):
    """The explorer page driving `self.session` (a `Session`: the seed network by default; a network, or the one a
    fitted chainrule estimator holds, opened as a copy)."""

    _esm = bundle()
    _css = (STATIC / "style.css").read_text(encoding="utf-8")

    def __init__(self, session: Session | cr.Network | Any = None, X: Any = None, y: Any = None, *,
                 share: str | None = None, net: cr.Network | Any = None, **kwargs: Any):
        est = session if _estimator(session) else net if _estimator(net) else None
        session, net = _network_of(session), _network_of(net)      # a fitted BackpropClassifier: its network_
        if isinstance(session, cr.Network):         # Explorer(net): the network trained in the cells above
            if net is not None:
                raise TypeError("Explorer: a network given twice (as the first argument and as net=); give it once")
            session, net = None, session
        if session is not None and not isinstance(session, Session):
            raise TypeError(f"Explorer: the first argument is a cr.Network or an explorer Session; got "
                            f"{type(session).__name__} (a fitted BackpropClassifier or BackpropRegressor opens its "
                            f"network too)")
        if session is not None and net is not None:
            raise TypeError("Explorer: give a session or a net, not both (a session holds its own network)")
        if net is not None and not isinstance(net, cr.Network):
            raise TypeError(f"Explorer: net must be a cr.Network; got {type(net).__name__} (a fitted "
                            f"BackpropClassifier or BackpropRegressor opens its network too)")
        if net is not None and share is not None:     # the share would replace the network without a word
            raise TypeError("Explorer: give a net or a share, not both (a share code holds its own network)")
        if session is not None and share is not None:     # so would it the session's
            raise TypeError("Explorer: give a session or a share, not both (a share code holds its own network; "
                            "Explorer(share=...) opens it in a new session)")
        if (X is not None or y is not None) and net is None:
            other = "a share code is given as share=..." if isinstance(X, str) else "a session holds its own"
            raise TypeError(f"Explorer: X and y are the samples of a network given (Explorer(net, X, y)); {other}")
        unknown = sorted(set(kwargs) - set(self.class_trait_names()))
        if unknown:     # anywidget passed them on unread: Explorer(model=net) opened the seed without a word
            raise TypeError(f"Explorer got an unexpected keyword argument {unknown[0]!r}; it takes net (a "
                            f"cr.Network), session, share, X and y")
        super().__init__(**kwargs)
        # a copy of `net` (its rows drawn as `chainrule explore --model` draws them); the page's is w.session.net
        rows = None if X is None and y is None else (X, _labels(est, y))      # else one sample drawn at random
        name, outputs = (f"{type(est).__name__}'s network", _outputs(est, net)) if est is not None else (NOTEBOOK, None)
        self.session = session or Session(Start(net=net, name=name, notebook=True, rows=rows, classes=outputs)
                                          if net is not None else None)
        if share is not None:       # an empty code refused, as a damaged one is (the seed is share=None)
            self.session.act("load_share", {"code": share})
        self.on_msg(self._on_message)

    def __repr__(self) -> str:
        """What a front end without widgets shows (a terminal's IPython, a notebook viewer): which network, and where
        the page itself shows, in place of anywidget's `<...Explorer object at 0x7f...>`."""
        dense = self.session.net.dense_layers
        widths = "-".join(str(n) for n in [dense[0].n_in, *(layer.n_out for layer in dense)])
        title = self.session.title
        what = title if widths in title else f"{title}, {widths}"
        return (f"Explorer({what}): the page shows as a Jupyter cell's output (JupyterLab, Notebook 7, VS Code); "
                f"outside a notebook, `chainrule explore` serves it in a browser")

    def handle(self, content: dict, buffers: list) -> tuple[dict, list]:
        """One request of the page: (answer, buffers). Errors are answered, never raised."""
        s, kind = self.session, content.get("kind")
        out: list = []
        answer: dict = {}
        try:
            if kind == "act" and content.get("action") == "share":
                answer["code"], answer["note"] = export.shared(s)
            elif kind == "act":
                s.act(str(content.get("action")), content.get("body") or {})
            elif kind == "upload":
                answer["columns"] = s.run("upload_csv", s.upload_csv, bytes(buffers[0]), str(content.get("name")),
                                          content.get("target"))
            elif kind == "export" and content.get("what") == "model.npz":
                out = [export.model_bytes(s)]
            elif kind == "export" and content.get("what") == "derivation.md":
                out = [export.markdown(s).encode()]
            elif kind != "open":
                raise ChainruleError(f"unknown request {kind!r} {content.get('what') or ''}".strip())
        except (ChainruleError, ValueError, TypeError) as exc:
            answer["error"] = for_page(str(exc).strip().splitlines()[0]) if str(exc).strip() else type(exc).__name__
        answer["state"] = s.state()
        return answer, out

    def _on_message(self, _widget: Any, content: dict, buffers: list) -> None:
        answer, out = self.handle(content, buffers)
        self.send({"id": content.get("id"), "answer": answer}, out)
