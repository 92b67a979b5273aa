"""`chainrule info` of a foreign model file (ONNX, Keras): what it holds, and what load_foreign guessed."""
from conftest import cmd


def test_info_says_a_foreign_files_loss_was_guessed_where_the_file_names_none(tmp_path):
    """An ONNX graph without to_onnx's loss metadata was shown as Network(loss='mse') for a sigmoid output, as if the
    file held it: load_foreign guesses it from the activation. info now says so; a file that names it is not."""
    import onnx

    import chainrule as cr
    net = cr.Network([cr.Dense(3, 2, "relu"), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    cr.to_onnx(net, tmp_path / "named.onnx")
    graph = onnx.load(tmp_path / "named.onnx")
    assert {p.key: p.value for p in graph.metadata_props}.get("chainrule.loss") == "binary_crossentropy"
    del graph.metadata_props[:]
    onnx.save(graph, tmp_path / "bare.onnx")
    assert "guessed" not in cmd("info", tmp_path / "named.onnx").stdout
    lines = cmd("info", tmp_path / "bare.onnx").stdout.splitlines()
    assert any(line.startswith("loss: 'mse' guessed from the output's sigmoid activation") for line in lines), lines
