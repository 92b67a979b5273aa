"""A share code's described layers (`net`) damaged: their refusals said what was expected but not what the code
held, unlike the code's other parts (test_explore71_share_refusals), so the sender could not tell the wrong layer."""
import pytest
from test_explore71_share_refusals import edited

from chainrule.errors import ValidationError
from chainrule.teach.explore.session import Session

DENSE = {"type": "Dense", "n_in": 2, "n_out": 2, "activation": "sigmoid"}


def put_net(net):
    return lambda p: p.__setitem__("net", net)


@pytest.mark.parametrize("net, said", [
    (5, r"net must list the layers and the dtype \(float64 or float32\); got int 5$"),
    ({"layers": [DENSE]}, r"net must list .*; got a dict of \['layers'\]$"),
    ({"layers": [DENSE, DENSE], "dtype": "float16"}, r"net must list .*; got dtype 'float16'$"),
    ({"layers": [{**DENSE, "n_out": 9}], "dtype": "float64"},
     r"must be the architecture's Dense layers \(Dense 2→2, Dense 2→2\), with Dropout between them; got Dense 2→9$"),
    ({"layers": [DENSE, {"type": "Conv"}, DENSE], "dtype": "float64"}, r"; got Dense 2→2, Conv, Dense 2→2$"),
    ({"layers": [], "dtype": "float64"}, r"; got none$"),
])
def test_a_shared_networks_refused_layers_say_what_the_code_held(net, said):
    with pytest.raises(ValidationError, match=said):
        Session().load_share(edited(put_net(net)))
