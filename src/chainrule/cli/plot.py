"""`chainrule plot`: figures saved as PNG or SVG, without a display."""
from __future__ import annotations

from pathlib import Path

from . import model_argument
from .reading import model_file, named_text, output_name
from .usage import OptionError


def register(sub) -> None:
    p = sub.add_parser(
        "plot", help="save figures: a network with its weights, decision boundaries, the guide's figures",
        description="Draw figures into files (PNG or SVG by the extension).\n"
                    "  network   a network with its weights (wide layers: first and last units, weight heat maps); "
                    "the seed network with its gradients; a trained model with its columns and classes\n"
                    "  boundary  a single-layer network's boundary beside a hidden layer's (xor, moons, circles)\n"
                    "  curves    a run's loss and accuracy per epoch, from its history (train --checkpoint-dir DIR: "
                    "--history DIR; a resumed run's epochs too)\n"
                    "  demo      every figure of docs/guide.md into a folder (or on one page: --out demo.png)",
        epilog="examples:\n  chainrule plot network --out seed.png\n  chainrule plot network --model iris.npz "
               "--out iris.svg\n  chainrule plot boundary --data moons --out moons.png\n"
               "  chainrule plot curves --history run --out curves.png\n"
               "  chainrule plot demo --out docs/figures\n  chainrule plot demo --out demo.png")
    p.add_argument("kind", choices=["network", "boundary", "curves", "demo"], help="the figure to draw")
    p.add_argument("--out", required=True, type=output_name("--out", "the name of the figure to write (or demo's "
                                                            "folder)", "seed.png"),
                   help="file to write (.png or .svg; an earlier figure there is replaced), in a folder that exists; "
                        "for demo a folder (created if missing), or one .png/.svg file with every figure")
    p.add_argument("--model", type=model_file, help="network only: a saved model instead of the seed network")
    model_argument(p, parse=model_file)
    p.add_argument("--data", choices=["xor", "moons", "circles"], help="boundary only: the data set (default: xor)")
    p.add_argument("--history", metavar="DIR",       # empty (`--history "$RUN"` unset): was the current folder
                   type=named_text("--history", "a run's --checkpoint-dir (or its history.jsonl)", "run", None),
                   help="curves only: the --checkpoint-dir of a `chainrule train` run (its history.jsonl), or that "
                        "history.jsonl file")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import ValidationError, counted
    from ..teach import plot
    from ..teach.figures import all_figures, boundary_pair
    if args.model is not None and args.kind != "network":
        raise OptionError(f"--model is for `plot network` (a saved model's drawing); `plot {args.kind}` draws "
                          "its own networks: leave --model out")
    if args.data is not None and args.kind != "boundary":
        raise OptionError(f"--data is for `plot boundary` (its data set); `plot {args.kind}` has no data "
                          "set: leave --data out")
    if (args.history is not None) != (args.kind == "curves"):
        raise OptionError("plot curves needs --history DIR (a run's --checkpoint-dir)" if args.history is None
                          else f"--history is for `plot curves`; `plot {args.kind}` draws no history: leave it out")
    one_file = args.kind != "demo" or Path(args.out).suffix.lower() in (".png", ".svg")
    if one_file:               # checked before any drawing: a missing folder is refused, as `train --out` does
        from .tabular import output_path
        if Path(args.out).suffix.lower() not in (".png", ".svg"):
            raise ValidationError(f"--out must end in .png or .svg; got {args.out!r}")
        output_path(args.out, {"--model": args.model, "--history": args.history})
        an_image_or_none(Path(args.out))
    elif Path(args.out).exists() and not Path(args.out).is_dir():
        raise ValidationError(f"--out {args.out!r} is not a folder (plot demo writes its figures into a folder, or "
                              "one .png/.svg file)")
    if args.kind == "network":
        if args.model:
            from ..teach.escape import one_line
            from .tabular import load_model
            net, pre, extra = load_model(args.model, need_preprocessing=False)
            inputs = outputs = note = None
            if pre is not None:          # the columns (one-hot columns as column=value) and the classes
                # each name on its line: one holding a line break as repr writes it ('x\ny', apart from x\ny), a
                # one-hot column's column and category each so (cat='a\nb'), as explain's lines write them
                inputs = [*map(one_line, pre.numeric),
                          *(f"{one_line(c)}={one_line(v)}" for c in pre.text for v in pre.categories[c])]
                # a regression's output is its target standardised, as the network learnt it
                outputs = ([one_line(c) for c in pre.classes] if pre.classes else
                           [f"{one_line(pre.target)}\n(standardised)"])
                note = diagram_note(pre, bool(extra.get("weight")))
            path = plot.network_diagram(net, args.out, input_names=inputs, output_names=outputs, note=note)
        else:
            import chainrule as cr
            net, X, Y, lr = cr.examples.seed_network()
            path = plot.network_diagram(net, args.out, report=cr.explain(net, X, Y, lr=lr))
        print(f"wrote {path}")
    elif args.kind == "boundary":
        print(f"wrote {boundary_pair(args.data or 'xor', args.out)}")
    elif args.kind == "curves":
        history, epochs = run_history(args.history)
        title = f"{args.history}: {counted(len(epochs), 'epoch')}"         # '1 epoch', '9 epochs'
        loss, accuracy = run_labels(args.history)
        print(f"wrote {plot.training_curves(history, args.out, title=title, loss_label=loss, accuracy_label=accuracy)}")
    elif Path(args.out).suffix.lower() in (".png", ".svg"):
        print(f"wrote {demo_sheet(args.out)}")
    else:
        for path in all_figures(args.out):
            print(f"wrote {path}")
    return 0


def an_image_or_none(path: Path) -> None:
    """An earlier figure is replaced, as matplotlib's savefig replaces it (the `wrote` line names it), but a file of
    other content under a .png or .svg name (data, a model renamed) is refused, as train, predict and export refuse
    to write over another kind of file: the plot was written over it, and the file lost."""
    from ..errors import ValidationError
    from ..saving.files import HOLDS
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except (FileNotFoundError, IsADirectoryError):
        return
    svg, png, start = path.suffix.lower() == ".svg", b"\x89PNG\r\n\x1a\n", head.removeprefix(b"\xef\xbb\xbf").lstrip()
    # an SVG starts with its XML declaration, doctype or <svg tag (notes that only mention "<svg" are not one); a PNG
    # with its signature, or a part of it (a truncated figure)
    if not head or (b"<svg" in head and start.startswith((b"<?xml", b"<!DOCTYPE svg", b"<svg")) if svg else
                    head.startswith(png) or png.startswith(head)):
        return
    from ..data.filecontent import file_kind
    found = file_kind(path)
    image = "an SVG image" if svg else "a PNG image"
    raise ValidationError(f"--out {str(path)!r} exists and holds {HOLDS.get(found, found)}, not {image}: writing there "
                          "would lose it. Give another file name, or remove that file first")


def diagram_note(pre, weighted: bool = False) -> str | None:
    """What a trained model's drawn units hold: its numeric inputs are the columns standardised (by the training rows'
    means and spreads, weighted where it trained with --weight, as train says; not the file's values), a regression's
    output its standardised target, in the text the loss axis of `plot curves` has."""
    said = []
    if pre.numeric:
        rows = pre.learnt_from(weighted)        # as train's line of the regression's losses says it
        said.append(f"inputs: the numeric columns standardised, (column - mean) / std of the {rows}")
    if pre.task == "regression":
        said.append(f"output: the standardised target {pre.standardisation()}")
    return "\n".join(said) or None


def run_history(given: str) -> tuple[dict, list[int]]:
    """The metrics per epoch of a run's checkpoint folder (or of its history.jsonl named)."""
    from ..errors import ValidationError
    from ..saving.checkpoint import HISTORY, read_history
    folder = Path(given)
    if not folder.exists():          # not 'is not a folder: give ... its history.jsonl' to one who gave it
        raise ValidationError(f"--history {given!r} does not exist: give the --checkpoint-dir of a run "
                              f"(chainrule train ... --checkpoint-dir DIR), or its {HISTORY}")
    if folder.name == HISTORY and folder.is_file():
        folder = folder.parent
    elif not folder.is_dir():
        raise ValidationError(f"--history {given!r} is not a folder: give the --checkpoint-dir of a run "
                              f"(chainrule train ... --checkpoint-dir DIR), or its {HISTORY}")
    history, epochs = read_history(folder)
    if not epochs:
        raise ValidationError(f"--history {given!r} holds no epoch ({folder / HISTORY} is missing or empty): "
                              "train with --checkpoint-dir DIR for at least one epoch, then plot --history DIR")
    return history, epochs


def run_labels(given: str) -> tuple[str, str]:
    """The loss and accuracy axes' names of a run, from the checkpoint beside its history: a regression's losses are
    of its standardised target, not in the file's units, and a run trained with --weight (or --class-weight) has
    weighted losses and accuracies; each names its loss ("loss", "accuracy" where the run's checkpoint is gone)."""
    from ..data.csvfile import short
    from ..errors import ChainruleError
    from ..saving.checkpoint import HISTORY, checkpoint_path
    from .tabular import load_model
    folder = Path(given).parent if Path(given).name == HISTORY and Path(given).is_file() else Path(given)
    if not checkpoint_path(folder).is_file():
        return "loss", "accuracy"
    try:
        net, pre, extra = load_model(checkpoint_path(folder), need_preprocessing=False)
    except ChainruleError:
        return "loss", "accuracy"   # the history is drawn all the same; the checkpoint's refusal is resume's to say
    weighted = f"rows weighted by {short(extra['weight'])}" if extra.get("weight") else ""
    if pre is None or pre.task != "regression":
        # which loss, as a regression's axis names its mse: a plain 'loss' left cross-entropy (or binary) unsaid.
        # --class-weight weighs the training rows (and their accuracy), not the validation rows: as fit does
        said = ";\n".join(filter(None, [weighted, by_class(extra.get("class_weight"))]))
        loss = f"loss ({net.loss_function.name})"
        return (f"{loss}\n{said}", f"accuracy, {said}") if said else (loss, "accuracy")
    return "\n".join([f"loss ({net.loss_function.name}) of the standardised target", pre.standardisation(),
                      *([weighted] if weighted else [])]), "accuracy"


def by_class(given) -> str:
    """A run's --class-weight as its checkpoint records it (`sample_weight.read_record`), in words; "" where none."""
    from ..nn.sample_weight import read_record
    from ..teach.notation import shortened
    given = read_record(given)
    if given is None:
        return ""
    if given == "balanced":
        return "training rows weighted by class (balanced)"
    return f"training rows weighted by class ({shortened([f'{label}={w:g}' for label, w in given], 4)})"


def demo_sheet(path) -> Path:
    """Every figure of the guide on one page (for `plot demo --out demo.png`)."""
    import tempfile

    from matplotlib.figure import Figure
    from matplotlib.image import imread

    from ..teach.figures import all_figures
    from ..teach.plot import save_figure
    with tempfile.TemporaryDirectory() as tmp:
        images = [imread(p) for p in all_figures(tmp) if str(p).endswith(".png")]
    cols = 2
    rows = -(-len(images) // cols)
    fig = Figure(figsize=(16, 5 * rows), dpi=100)
    for k, image in enumerate(images):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.imshow(image)
        ax.set_axis_off()
    fig.tight_layout()
    return save_figure(fig, path, 100)    # written beside it and renamed: a failure keeps the previous file
