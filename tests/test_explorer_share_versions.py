"""Share codes carry a version: an older chainrule opens the codes it can read and refuses, as not one it
writes, a code whose shape it would misread (a model page's optimizer words, v3); this one opens every older
version and refuses a newer one saying to upgrade.

Oracles: codes made by chainrule at commit 1148775 (tests/data/share-codes-1148775.json, written by its own
explorer session, before share codes held a model's optimizer), the seed network stepped by `net.step`."""
import base64
import json
import zlib
from pathlib import Path

import numpy as np
import pytest
from test_explorer_trained import opened, saved

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.explore.session import Session

OLD = json.loads((Path(__file__).parent / "data" / "share-codes-1148775.json").read_text())["codes"]


def payload(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


def encoded(p: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(p).encode())).decode().rstrip("=")


@pytest.mark.parametrize("what", list(OLD))
def test_codes_of_an_older_chainrule_open(what):
    code, s = OLD[what], Session()
    s.act("load_share", {"code": code})
    p = payload(code)
    np.testing.assert_array_equal(s.net.params, p["params"])
    assert (s.steps, s.opt.t, s.opt_name) == (p["steps"], p["opt_state"]["t"], p["opt"][0])
    if what.startswith("seed, 2 steps"):        # the seed's own two updates
        net, X, Y, lr = cr.examples.seed_network()
        net.step(X, Y, lr)
        net.step(X, Y, lr)
        np.testing.assert_allclose(s.net.params, net.params, rtol=0, atol=1e-15)


def test_a_model_pages_code_has_the_version_an_older_chainrule_refuses(tmp_path):
    """1148775 read versions 1 and 2 and refused a model with optimizer_from as damaged ("model must hold a
    title, ..."): such a code is version 3 and opens here; a seed page's code stays version 1."""
    s = opened(saved(tmp_path, cr.optim.Adam(0.05)))
    code = s.share()
    assert payload(code)["v"] == 3 and "optimizer_from" in payload(code)["model"]
    assert payload(OLD["seed, 2 steps of gradient descent"])["v"] == payload(Session().share())["v"] == 1
    copy = Session()
    copy.act("load_share", {"code": code})
    assert copy.state()["optimizer_from"] == s.state()["optimizer_from"]


def test_a_code_of_a_newer_chainrule_is_refused_saying_to_upgrade():
    p = {**payload(Session().share()), "v": 6}
    with pytest.raises(ValidationError, match=r"made by a newer chainrule \(share code version 6; this one reads "
                                              r"versions 1 to 5\): upgrade chainrule to open it"):
        Session().act("load_share", {"code": encoded(p)})
    for v in (0, True, "3", None):
        with pytest.raises(ValidationError, match="not one chainrule writes"):
            Session().act("load_share", {"code": encoded({**p, "v": v})})


def test_a_code_whose_page_took_more_steps_than_its_optimizer_is_refused(tmp_path):
    """The words on a model's optimizer count the file's steps as the optimizer's less the page's: a code (damaged
    or made by hand) with more page steps than optimizer steps opened saying "Adam after 3 steps (-7 in the model
    file, 10 on this page)". It is refused, naming both counts; one step fewer than the optimizer's opens."""
    path = saved(tmp_path, cr.optim.Adam(0.05))
    t = cr.load(path).optimizer.t
    p = payload(opened(path).share())
    with pytest.raises(ValidationError, match=rf"share code: the model's optimizer is at step {t} but the page took "
                                              rf"{t + 7} steps since the model file \(copy the whole link\)"):
        Session().act("load_share", {"code": encoded({**p, "steps": t + 7})})
    s = Session()
    s.act("load_share", {"code": encoded({**p, "steps": t})})
    assert f"Adam after {t} steps (0 in the model file, {t} on this page)" in s.state()["optimizer_from"]
