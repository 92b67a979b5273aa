import chainrule as cr


def test_seed_forward_matches_seed_total_error():
    net, X, Y, lr = cr.examples.seed_network()
    assert round(net.loss(X, Y), 9) == 0.298371109
