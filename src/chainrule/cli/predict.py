"""`chainrule predict | evaluate`: a trained model applied to a CSV file."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from ..errors import ValidationError
from ..teach.width import say, word
from .reading import column_name, output_name
from .tabular import (
    add_csv_options,
    as_in_file,
    as_trained,
    load_model,
    output_path,
    positive_int,
    separator_how,
)


def register(sub) -> None:
    p = sub.add_parser(
        "predict", help="predict with a trained model",
        description="Predict for every row of a CSV file that has the columns the model was trained on (other "
                    "columns, the target among them, are ignored). Rows keep their order. The output's columns: "
                    "--id's column, prediction, then proba_CLASS for each class with --proba.",
        epilog="examples:\n  chainrule predict iris.npz iris.csv --proba --out predictions.csv\n"
               "  chainrule predict iris.npz iris.csv --id species   # on standard output, beside the species")
    p.add_argument("model", help="a model file written by `chainrule train`")
    p.add_argument("csv", help="the rows to predict: a CSV file with a header row")
    p.add_argument("--out", default="-", type=output_name("--out", "the name of the CSV file to write",
                                                          "predictions.csv", "for standard output, or --out -"),
                   help="CSV file to write, tab-separated where its name ends "
                   "in .tsv, .tab or .txt; - for standard output")
    p.add_argument("--proba", action="store_true", help="add the probability of each class")
    p.add_argument("--id", metavar="COL", type=column_name("--id", "a column to copy beside the predictions"),
                   help="copy this column (a row id) into the predictions, as written")
    add_csv_options(p)
    add_chunk_option(p)
    p.set_defaults(func=predict)


def add_chunk_option(p) -> None:
    """--chunk-rows; its default (None) is chunks.CHUNK_ROWS, train --stream's, imported only when a file is read."""
    from .resume import ChunkRowsDefault
    option = p.add_argument("--chunk-rows", type=positive_int, default=None, metavar="N",
                            help="rows read, preprocessed and predicted at a time (default: %(stream_default)s); "
                                 "memory depends on this, not on the file's length")
    option.stream_default = ChunkRowsDefault()


def checked(args, path, used: Any = None) -> dict:
    """The CSV file checked as `read` checks it (without holding it in memory); one line on stderr
    says how it is read. Returns `rowcheck.check_csv`'s description (header, rows). `used`: the columns read (a
    name twice among the others is left, as pandas reads it)."""
    from ..data.csvfile import short
    from ..data.progress import Progress
    from ..data.rowcheck import check_csv
    from ..data.separators import SEP_NAMES
    try:
        with Progress(f"reading {short(str(path), 200)}"):        # a line only when it takes more than 2 s
            info = check_csv(path, sep=args.sep, encoding=args.encoding, decimal=args.decimal,
                              thousands=args.thousands, used=used)
    except ValidationError as exc:       # a mark or encoding taken from the model file is said to be the model's
        raise as_the_models(args, exc) from None
    how = {"model": " (the model's)", "given": "", "detected": " (detected)"}.get(args.sep_from, f" ({args.sep_from})")
    theirs = " (the model's)" if any(i.startswith("--encoding") for i in args.inherited) else ""
    theirs = f" ({args.set_aside})" if getattr(args, "set_aside", None) else theirs
    from ..data.lines import plural
    say(f"read {short(info['name'], 200)}: {info['rows']} {plural(info['rows'], 'row')}, {len(info['header'])} "
        f"columns, separator "
        f"{SEP_NAMES.get(info['sep'], repr(info['sep']))}{how}, encoding {info['encoding']}{theirs}", sys.stderr)
    return info


def as_the_models(args, exc: ValidationError) -> ValidationError:
    """`exc`, an error reading a file with the reading settings a trained model gave (`tabular.as_trained`:
    `args.inherited`, `args.sep_from`), with a note naming those it is about: they were the model file's,
    and the options that read this file otherwise. `exc` itself when it is about none of them. For
    predict, evaluate and explain --data alike."""
    from ..data.separators import SEP_NAMES
    text, inherited = str(exc), list(getattr(args, "inherited", None) or [])
    if "cannot be decoded" in text:
        taken = [i for i in inherited if i.startswith("--encoding")]
    elif "decimal" in text or "thousands" in text:
        taken = [i for i in inherited if i.startswith(("--decimal", "--thousands"))]
    else:
        taken = []
    if "fields but the header" in text and getattr(args, "sep_from", None) == "model":
        taken.append(f"--sep {SEP_NAMES.get(args.sep, repr(args.sep))}")
    if not taken:
        return exc
    options = " or ".join(i.split()[0] for i in taken)
    return ValidationError(f"{exc} (the model file's {' and '.join(taken)}, as train read its file: give {options} to "
                           "read this one otherwise)")


def swapped(args) -> None:
    """`predict data.csv model.npz`: a chainrule model where the CSV file goes, and text where the model
    goes, is said as the arguments swapped (not "not a chainrule model file"); each told by its content
    as save tells them (data.filecontent.file_kind), so an ONNX or Keras model first is not called swapped."""
    import os

    from ..data.filecontent import file_kind

    def kind(path) -> str:                   # by content, as save tells a model from other data (never a pipe)
        try:
            return file_kind(path) if os.path.isfile(path) else "none"
        except OSError:
            return "none"
    if kind(args.csv) == "model" and kind(args.model) in ("text", "csv"):
        raise ValidationError(f"{args.csv!r} is a model file and {args.model!r} is not: the model comes first "
                              f"(chainrule {args.command} {args.csv} {args.model})")
    if kind(args.model) in ("text", "csv"):     # data where the model goes: load's words, and this command's order
        from pathlib import Path

        from ..errors import ModelFileError
        from ..saving.modelkind import not_a_zip
        from .tabular import quoted
        said = quoted(ModelFileError(not_a_zip(Path(args.model))), args.model)
        raise ModelFileError(f"{said}, given first (chainrule {args.command} MODEL DATA)")
    from ..data.filekind import model_kind
    what = model_kind(args.csv)
    if what:                       # not 'zip-compressed: unzip it', 'NUL bytes': a model where the data goes
        raise ValidationError(f"CSV file {args.csv!r} is {what}, not CSV text: {args.command} reads a model first "
                              f"and a CSV file of data second (chainrule {args.command} MODEL DATA)")


def not_a_pipe(path) -> None:
    """A pipe (standard input, a shell's <(...)) refused before any look at its head, which empties it: in the
    reader's words (its JSON text said as a JSON file's), not a look's silent failure then "is a pipe"."""
    from ..data.opening import open_again
    from .reading import special_file
    if special_file(path) is not None:
        open_again(str(path)).close()


def one_column(args, info: dict) -> ValidationError | None:
    """The error for a header read as one column with a separator the file does not use (`--sep ';'`
    on a comma file), else None: the columns are not missing, the separator is wrong."""
    from ..data.header import one_column as wrong
    how = separator_how(args, info["sep"], info.get("sep_detected", False))
    return wrong(args.csv, info["header"], how, args.encoding)


def model_columns(args, info: dict, pre, keep: tuple[str, ...] = ()) -> None:
    """The columns the model uses must be in the file (else an error naming them all, or the separator
    that hid them); the others are named once and ignored."""
    from ..data.csvfile import names, short
    header = info["header"]
    has, used = set(header), set(pre.columns)        # (lists: a file of 10,000 columns took seconds to compare)
    missing = [c for c in pre.columns if c not in has]
    if missing:
        said = f": {pre.missing(missing, header)}"
        if len(missing) == len(pre.columns) and "likely" not in said:    # data of another model: what it holds
            said = (f" has none of the model's columns: the model was trained on columns {names(pre.columns, 10)}; its "
                    f"columns are {names(header, 10)} (a file for another model?)")
        raise one_column(args, info) or ValidationError(f"CSV file {short(args.csv, 200)}{said}")
    ignored = [c for c in header if c not in used and c not in keep]
    if ignored:
        say(f"ignored columns the model does not use: {names(ignored, 20)}", sys.stderr)


def chunks(args, info: dict, pre, net, text: tuple[str, ...] = (),
           inputs: list | None = None, verbatim: tuple[str, ...] = ()) -> Iterator[tuple[Any, Any]]:
    """(chunk, the network's outputs for it) for each chunk of `args.chunk_rows` rows of the file
    (`inputs`: a list that gets each yielded chunk's preprocessed inputs, for evaluate to take before the next),
    in order; text columns of the model (and `text`) are read as text, and `verbatim` ones (predict's --id, when
    the model does not read it) cell by cell as written: an id 'NA' is no missing value. Values unseen in training
    are warned about once, at the end; rows whose outputs no layer gives (`overflow.Failures`) are an error that
    counts them in the whole file, as the engine words it, as are predictions beyond float64 once scaled back."""
    import numpy as np

    from ..data.chunks import iter_chunks
    from ..data.csvfile import short
    from ..data.encode import Gaps, gap_mask, gaps_message, not_numbers, warn_unseen
    from ..data.hints import Markers
    from ..data.lines import file_lines, plural
    from ..data.markers import NA_MARKERS, learnt
    from ..data.memory import chunked
    from ..data.progress import Progress
    from ..data.targets import unscaled, why_beyond
    from ..nn.overflow import Failures
    from ..nn.predict import predict as outputs  # non-finite rows named by their lines below
    unseen: dict[str, set] = {}
    bad, first_bad, rows, failures, nearest = 0, 0, 0, Failures(), np.inf
    gap: Gaps | None = None                     # missing values the model cannot fill: counted over the file
    marked: Markers | None = None               # a marker no option read: the later chunks' markers said with it
    markers: dict = {}
    gaps: dict[str, tuple[list[int], int]] = {}       # in each column: its first lines and its count
    unfilled = [c for c in pre.columns if c not in pre.fill]

    def count_gaps(chunk: Any) -> None:
        for c in unfilled:
            at = np.flatnonzero(gap_mask(pre, chunk, c))
            if at.size:
                lines, n = gaps.get(c, ([], 0))
                gaps[c] = ((lines + file_lines(chunk, at[:5]).tolist())[:5], n + at.size)
    na_values = [*(pre.na_values or []), *args.na_values]
    kept = {**learnt(pre), **{c: [*NA_MARKERS, *na_values] for c in verbatim if c not in pre.columns}}
    with Progress("predicting", total=info["rows"], unit="rows") as progress:
        for chunk in iter_chunks(args.csv, rows=args.chunk_rows, sep=info["sep"], encoding=args.encoding,
                                 decimal=args.decimal, thousands=args.thousands, na_values=na_values,
                                 pandas_markers=pre.na_values is None,       # a model file written before
                                 lines=info["lines"], kept=kept,             # 'nan' a category where it was one
                                 text_columns=[*pre.text, *(c for c in text if c not in pre.columns)]):
            if marked is not None:
                markers.update(dict.fromkeys(not_numbers(pre, chunk)))
                continue
            if gap is not None:                 # the rest of the file: its gaps in every column counted, and named
                count_gaps(chunk)
                continue
            try:
                with chunked("--chunk-rows"):    # the model fixes its columns and dtype
                    x = pre.transform(chunk[pre.columns], dtype=net.dtype, unseen=unseen)
            except Markers as exc:
                marked = exc
                continue
            except Gaps as exc:
                gap = exc
                count_gaps(chunk)
                if exc.column not in gaps:      # gap_mask reads as transform does: a guard, never met
                    gaps[exc.column] = (file_lines(chunk, exc.rows[:5]).tolist(), exc.rows.size)
                continue
            found = Failures()                  # rows no layer gives: named by their lines, in the engine's words
            out = outputs(net, x, finite=False, failures=found)
            failures.merge(found, lambda row, chunk=chunk: file_lines(chunk, [row])[0])
            rows += x.shape[0]
            finite = np.isfinite(out).all(axis=1)
            if pre.task == "regression" and finite.any():   # a prediction beyond float64 (a target near 1e307)
                beyond = finite & ~np.isfinite(unscaled(out, pre.y_scale, pre.y_mean))
                if beyond.any():
                    first_bad = first_bad or int(file_lines(chunk, np.flatnonzero(beyond)[:1])[0])
                    bad += int(beyond.sum())
                    nearest = min(nearest, float(np.abs(out[beyond, 0]).min()))
            if not (bad or failures):
                if inputs is not None:
                    inputs.append(x)
                yield chunk, out
            progress.update(int(chunk.index[-1]) + 1)
    if marked is not None:
        raise marked.with_cells(list(markers))
    if gap is not None:                         # named in the file's column order, not the order first met
        order = {c: i for i, c in enumerate(info["header"])}
        gaps = {c: gaps[c] for c in sorted(gaps, key=lambda c: order.get(c, len(order)))}
        raise ValidationError(gaps_message(pre, gaps) + gap.why)
    if failures:
        raise failures.error(net, rows, of=short(str(args.csv)), unit="line", advice="those inputs are far outside "
                             "the training range (or the weights damaged): check them" + (
                                 ", or train the model with --dtype float64" if net.dtype == np.float32 else ""))
    if bad:
        raise ValidationError(f"the model's predictions are beyond float64's range for {bad} {plural(bad, 'row')} "
                              f"(first: line {first_bad}), as {short(pre.target)} is scaled back: "
                              f"{why_beyond(np.array([nearest]), pre.y_scale, pre.y_mean, pre.target)}")
    warn_unseen(pre, unseen)


def predict(args) -> int:
    from ..saving.runlock import output_held
    swapped(args)
    out_path = output_path(args.out, {"model file": args.model, "CSV file": args.csv}, stdout_ok=True,
                           kind="csv")
    with output_held(out_path, job="predict"):     # a second job on this --out is refused while this one runs
        return _predict(args, out_path)


def _predict(args, out_path) -> int:
    import pandas as pd

    from ..data.csvfile import names, not_in_file, short
    from ..data.targets import as_written
    from ..nn.filenames import ending_separator
    from ..saving.npz import atomic_write
    net, pre, extra = load_model(args.model)
    not_a_pipe(args.csv)
    as_trained(args, pre, args.csv)
    if args.proba and pre.task != "classification":
        raise ValidationError("--proba needs a classification model; this one is a regression")
    own = ["prediction", *([f"proba_{c}" for c in pre.classes] if args.proba else [])]
    if args.id in own:         # two columns of one name: pandas would read the second back as 'NAME.1'
        raise ValidationError(f"--id: column {short(args.id)} has the name of a column predict writes "
                              f"({names(own, 10)}): rename it in the file, or give another --id")
    info = checked(args, args.csv, used=[*pre.columns, *([args.id] if args.id else [])])
    as_in_file(args, info["header"])
    if args.id is not None and args.id not in info["header"]:
        raise one_column(args, info) or not_in_file("--id: column", args.id, info["header"], args.csv)
    # the target and training weights beside the inputs are normal in a file (the training file itself): not said
    model_columns(args, info, pre, keep=(pre.target, *[c for c in (args.id, extra.get("weight")) if c]))

    # a .tsv, .tab or .txt file is read as tab-separated (pandas' users, spreadsheets): written so, as CSVLogger's
    sep = "," if out_path is None else ending_separator(out_path)

    def write(emit) -> int:
        """The predictions of each chunk as it is computed (to `emit`); the header line once."""
        n = 0
        ids = (args.id,) if args.id else ()
        for chunk, out in chunks(args, info, pre, net, text=ids, verbatim=ids):
            decoded = pre.decode(out)
            result = pd.DataFrame({"prediction": decoded if pre.task != "regression" else
                                   as_written(decoded, out, pre.y_scale)})
            if args.id is not None:
                result.insert(0, args.id, chunk[args.id].to_numpy())
            if args.proba:
                for j, c in enumerate(pre.classes):
                    result[f"proba_{c}"] = out[:, j]
            emit(result.to_csv(index=False, header=n == 0, sep=sep))
            n += len(result)
        return n

    if out_path is None:
        write(sys.stdout.write)
    else:
        written: list[int] = []
        atomic_write(out_path, lambda f: written.append(write(lambda text: f.write(text.encode()))))
        say(f"wrote {written[0]} predictions to {word(args.out)}", sys.stderr)
    return 0
