"""`chainrule info`: what a model file holds (its network, preprocessing and training summary)."""
from __future__ import annotations

import os
import sys

from ..teach.width import columns, say
from .schedule import shown
from .tabular import SHOWN_CLASSES, load_model, more_classes


def register(sub) -> None:
    p = sub.add_parser(
        "info", help="what a model file holds",
        description="Architecture, parameters, and (for `chainrule train` models) the preprocessing and "
                    "training summary of a model file; for an ONNX graph from `chainrule export`, its input "
                    "columns and outputs.",
        epilog="example:\n  chainrule info iris.npz")
    p.add_argument("model", help="a model file (.npz) from `chainrule train` or Network.save(), a checkpoint "
                                 "(DIR/checkpoint.npz of --checkpoint-dir DIR), a sweep's best_model.npz, or an "
                                 ".onnx or .keras file")
    p.add_argument("--classes", action="store_true",
                   help="list every class of a classifier, one a line: its output column and its label as the CSV "
                        "writes it (and its --class-weight weight); the summary shows the first 20")
    p.set_defaults(func=info)


def info(args) -> int:
    from ..data.csvfile import names, short
    from .tabular import describe_export, exported_graph
    graph = exported_graph(args.model)
    if graph is not None:             # one input per column: not a network to load; said what it is
        if getattr(args, "classes", False):
            return every_class(args.model, graph_classes(graph), {})
        describe_export(args.model, graph)
        told_outputs(graph, args.model)
        return 0
    net, pre, extra = load_model(args.model, need_preprocessing=False)
    if getattr(args, "classes", False):
        return every_class(args.model, pre, extra)
    from ..nn.summary import summary_table
    say(summary_table(net, columns(sys.stdout)))      # its count column moved, not broken, to fit
    state = extra.get("checkpoint")
    if isinstance(state, dict):           # written by fit's checkpoint_dir after an epoch: a run perhaps unfinished
        how = "chainrule train ... --resume" if pre is not None else "fit(..., checkpoint_dir=..., resume=True)"
        epoch, epochs = state.get("epoch"), state.get("epochs")
        left = isinstance(epoch, int) and isinstance(epochs, int) and epoch < epochs    # else resuming does nothing
        note = " (stopped early there)" if state.get("stopped") else f" (resume with {how})" if left else ""
        say(f"training checkpoint of epoch {epoch} of {epochs}{note}")
    if pre is None:
        kind = {".onnx": "an ONNX model", ".keras": "a Keras model"}.get(os.path.splitext(args.model)[1].lower())
        origin = f"{kind} read by chainrule.load_foreign" if kind else "saved by Network.save"
        say(f"no CSV preprocessing ({origin}): inputs are the network's raw features")
        if kind == "an ONNX model":
            estimator_outputs(args.model)
        if kind and not held_loss(args.model):
            last = [layer for layer in net.layers if hasattr(layer, "activation")][-1]      # past any Dropout
            why = "the graph names none" if kind == "an ONNX model" else "it reads none from a Keras file"
            say(f"loss: {net.loss_function.name!r} guessed from the output's {last.activation.name} activation, as "
                f"load_foreign does: {why} (load_foreign(path, loss=...) gives another)")
    else:
        classes = f", classes {class_names(pre.classes, args.model)}" if pre.classes else ""
        say(f"task: {pre.task} of {short(pre.target)}{classes}")
        say(f"numeric columns (standardised): {names(pre.numeric, 20)}")
        for c in pre.text:
            other = f" + 'other' ({pre.other[c]} rarer values)" if c in pre.other else ""
            say(f"text column {short(c)} (one-hot): {names(pre.categories[c], 20)}{other}")
        if pre.fill:
            more = f", and {len(pre.fill) - 20} more" if len(pre.fill) > 20 else ""
            say(f"missing values filled ({pre.impute}): " + ", ".join(f"{short(k)}: {filled(v)}"
                                                                      for k, v in list(pre.fill.items())[:20]) + more)
    if isinstance(extra.get("weight"), str):
        say(f"sample weights: trained with --weight {short(extra['weight'])} (evaluate --weight weighs the metrics)")
    if (given := class_weights(extra.get("class_weight"), fitted=pre is None,
                                    model=None if pre is None else args.model)) is not None and "sweep" in extra:
        say(f"class weights: each of the sweep's fits weighted its training rows by class: "
            f"{given.removeprefix('--class-weight ')}; the cross-validated scores are not weighted")
    elif given is not None:
        say(f"class weights: trained with {given}: the training rows' loss and accuracy are "
            "weighted by class, the validation rows' are not")
    if net.optimizer is not None:
        say(f"optimizer: {net.optimizer!r}")
    if isinstance(extra.get("schedule"), str):
        say(f"schedule: trained with --schedule {extra['schedule']}")
    history = extra.get("history") or {}
    if history:
        scaled = "" if pre is None or pre.task != "regression" else \
            f" (losses of the standardised target: {pre.standardisation()})"
        say(f"training{scaled}: " + ", ".join(shown(k, v) if isinstance(v, float) else f"{k} {v}"
                                     for k, v in history.items()))
    sweep = extra.get("sweep")
    if isinstance(sweep, dict) and isinstance(sweep.get("best_params"), dict):     # best_model.npz of a sweep
        from ..errors import counted
        from ..sweep_files import of_class
        best = sweep["best"] if isinstance(sweep.get("best"), str) else \
            ", ".join(f"{k}={v}" for k, v in sweep["best_params"].items())      # as the grid wrote it; or, before
        positive = f"{of_class(sweep['positive_class'])}, the positive class," if "positive_class" in sweep else ""
        folds = counted(sweep["cv"], "fold") if isinstance(sweep.get("cv"), int) else f"{sweep.get('cv')} folds"
        say(f"sweep: the best of its grid by {sweep.get('scoring')}{positive} over {folds}: {best}")
    return 0


def class_names(classes, model: str) -> str:
    """The first 20 classes, as `names` shows them, then how many more and how to list them all."""
    from ..data.csvfile import names
    shown = names(classes[:SHOWN_CLASSES], SHOWN_CLASSES)
    return shown[:-1] + more_classes(len(classes), model) + "]"


def every_class(model: str, pre, extra: dict) -> int:
    """`info --classes`: each class one a line, its output column and label as written (its weight, if trained
    with --class-weight); a model that is no classifier says so, exit 2."""
    from ..errors import ValidationError
    from ..nn.sample_weight import read_record
    from .weights import as_written
    if pre is None or not pre.classes:
        what = "a regression model" if pre is not None else "a network without CSV preprocessing (no class names)"
        raise ValidationError(f"--classes lists a classifier's classes; {model!r} is {what}")
    pairs = read_record(extra.get("class_weight"))
    weights = {str(label): w for label, w in pairs} if isinstance(pairs, list) else {}
    if pairs == "balanced":      # the counts it came from are not kept: said, not left for a weight-less list
        say("note: trained with --class-weight balanced, each class's weight from its count of training rows, "
            "which the model file does not keep (train's 'class weights' line said them)", sys.stderr)
    from .numbers import exact
    for i, c in enumerate(pre.classes):
        w = weights.get(str(c))
        say(f"{i}\t{as_written(c)}" + ("" if w is None else f"\tweight {exact(w)}"))
    return 0


def filled(value) -> str:
    """A column's fill value as a person retypes it (in a file's empty cells, to predict as the model does): a number
    whole, its shortest exact form (0.481448275862069, 2.5, 1e-07; a rounded one is another value), a text value
    quoted."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from .numbers import exact
        return exact(value)
    from ..data.csvfile import short
    return short(value)


def class_weights(recorded, fitted: bool = False, model: str | None = None) -> str | None:
    """A class-weight record of a model file (`sample_weight.read_record`) in words: as train's --class-weight says
    them, or, `fitted` (a network fitted in Python), as fit's class_weight={class index: weight}; None if none."""
    from ..data.csvfile import short
    from ..nn.sample_weight import read_record
    pairs = read_record(recorded)
    if pairs is None:
        return None
    balanced = " (each class's weight from its count of training rows)"
    if isinstance(pairs, str):
        return ("class_weight='balanced'" if fitted else "--class-weight balanced") + balanced
    more = more_classes(len(pairs), model) if model is not None else (
        f", and {len(pairs) - 20} more" if len(pairs) > 20 else "")
    from .numbers import exact
    if fitted:                          # fit's class indices, unquoted
        said = [(str(label) if str(label).isdigit() else short(str(label)), exact(w)) for label, w in pairs[:20]]
        return "class_weight={" + ", ".join(f"{i}: {w}" for i, w in said) + more + "} (a class not named: 1)"
    return _as_option(pairs[:20]) + more + " (a class not named: 1)"


def _as_option(pairs) -> str:
    """--class-weight as train reads it, each label as train's class weights line writes it (`weights.as_written`:
    '"x, y"=2,no=1'), the value quoted for the shell where it needs it; '--class-weight=-1=2' where it starts with
    '-', which argparse would read as an option."""
    import shlex

    from .numbers import exact
    from .weights import as_written
    value = ",".join(f"{as_written(label)}={exact(w)}" for label, w in pairs)
    return f"--class-weight{'=' if value.startswith('-') else ' '}{shlex.quote(value)}"


def estimator_outputs(path) -> None:
    """What the outputs of an estimator's graph (to_onnx(BackpropClassifier), to_onnx(BackpropRegressor)) mean, past
    the network's "output" that load_foreign reads: a classifier's "label" and "probabilities", a regressor's
    "variable", in the words the graph keeps for them (their doc_string); and an input that the graph casts to the
    network's dtype (to_onnx's input_type), which onnxruntime is fed as declared. Nothing for any other graph."""
    import onnx

    from ..saving.onnx_target import estimator_kind
    model = onnx.load(path, load_external_data=False)
    declared = onnx.helper.tensor_dtype_to_np_dtype(model.graph.input[0].type.tensor_type.elem_type) \
        if len(model.graph.input) == 1 and model.graph.input[0].type.tensor_type.elem_type else None
    first = model.graph.node[0] if model.graph.node else None
    if declared is not None and first is not None and first.op_type == "Cast" and \
            list(first.input) == [model.graph.input[0].name]:
        say(f"input {model.graph.input[0].name!r}: {declared.name} rows, cast to the network's dtype in the graph: "
            f"feed X.astype(np.{declared.name}) (onnxruntime refuses any other type)")
    kind = estimator_kind(model)
    if kind is None:
        return
    own = "the network's own, network_.predict's"
    said = "; ".join(f"{v.name!r}: {v.doc_string or own}" for v in model.graph.output)
    say(f"outputs (an estimator's graph, to_onnx of a fitted {kind}): {said}")


def held_loss(path) -> bool:
    """Whether a foreign file names its network's loss: an ONNX graph of to_onnx does (its metadata); another graph,
    or a .keras file, does not (load_foreign guesses it from the output's activation: mlp.build_network)."""
    if not str(path).lower().endswith(".onnx"):
        return False
    import onnx

    from ..nn.losses import LOSSES
    props = {p.key: p.value for p in onnx.load(path, load_external_data=False).metadata_props}
    return props.get("chainrule.loss") in LOSSES          # one it does not know is guessed as well


def told_outputs(model, path: str) -> None:
    """What an exported graph's outputs mean, from the metadata a deployer reads (onnx_tabular.output_props): a
    classifier's classes in the order of the columns of 'probabilities'. A graph exported before it says nothing."""
    from ..data.csvfile import short
    props = {p.key: p.value for p in model.metadata_props}
    if "chainrule.target" not in props:
        return
    target = short(props["chainrule.target"])
    if props.get("chainrule.task") == "regression":
        say(f"'prediction': the predicted {target}, in its own units")
        return
    classes = graph_classes(model)
    shown = class_names(classes.classes, path) if classes is not None and classes.classes \
        else short(props.get("chainrule.classes"), 200)
    say(f"'prediction': the predicted class of {target}; 'probabilities': one column per class, in this order: "
        f"{shown}")



def graph_classes(model):
    """An exported graph's task and classes, from its metadata, as `every_class` reads a model's preprocessing;
    None for a graph exported without them."""
    import json
    from types import SimpleNamespace
    props = {p.key: p.value for p in model.metadata_props}
    if "chainrule.target" not in props:
        return None
    try:
        classes = json.loads(props.get("chainrule.classes", "[]"))
    except (ValueError, RecursionError):
        classes = None
    return SimpleNamespace(task=props.get("chainrule.task"), classes=classes if isinstance(classes, list) else [])
