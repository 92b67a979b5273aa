"""A share code damaged in one part (a link edited by hand, or written by another program): its refusal said what was
expected ("the optimizer is missing", "the model's title ... must be texts") but not what the code held there, so the
sender could not tell which part to fix. Each now ends with "got ...", quoting what was there."""
import base64
import json
import zlib

import pytest

from chainrule.errors import ValidationError
from chainrule.teach.explore.session import Session


def edited(change) -> str:
    """A real page's share code with one part of it changed by `change(payload)`."""
    code = Session().share()
    p = json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))
    change(p)
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(p).encode())).decode().rstrip("=")


def put(key, value):
    return lambda p: p.__setitem__(key, value)


@pytest.mark.parametrize("change, said", [
    (lambda p: p.pop("opt"), r"the optimizer must be its name and settings.*; got none"),
    (put("opt", "adam"), r"the optimizer must be .*; got 'adam'"),
    (put("opt", ["adam"]), r"the optimizer must be .*; got a list of 1 value$"),
    (put("model", {"title": 5}), r"the model's title, .* must be texts .*; got its title: int 5"),
    (put("model", {"title": "m", "sample_from": "x" * 1001}),
     r"must be texts .*; got its sample's origin: a text of 1,001 characters"),
    (put("model", {"title": "m", "by": "me"}), r"model must hold a title.*; got a dict of \['by', 'title'\]"),
    (lambda p: p.update(opt=["adam", {"lr": 0.01}], opt_state={"t": 3}),
     r"the adam optimizer's state needs t and \['exp_avg', 'exp_avg_sq'\]; got a dict of \['t'\]"),
    (lambda p: p.pop("arch"), r"the architecture must be a dict of its settings; got none"),
    (put("params", [0.1, 0.2, 0.3]), r"expected 12 parameter values; got a list of 3 values"),
    (lambda p: p["Y"].append([0.5, 0.5]), r"X and Y need the same number of rows; got 1 and 2"),
    (lambda p: (p["X"].append([1.0, 2.0, 3.0]), p["Y"].append([0.5, 0.5])), r"every row of X needs 2 values; got 3"),
    (put("data", "moons"), r"data must name a data set, its size, noise and seed; got 'moons'"),
])
def test_a_refused_part_of_a_share_code_says_what_it_held(change, said):
    with pytest.raises(ValidationError, match=said) as refused:
        Session().load_share(edited(change))
    assert "; got " in str(refused.value)
