"""`chainrule train`: a CSV file in, a model file (network and preprocessing) out."""
from __future__ import annotations

import os
import sys
from functools import partial

import chainrule as cr

from ..data.columns import select_columns
from ..data.csvfile import short
from ..data.encode import warn_unseen
from ..errors import ModelFileError, TrainingDiverged, UnknownNameError, ValidationError
from ..nn.numeric import as_whole
from ..teach.width import say, word
from ..training.rank_warnings import launched_ranks, launcher
from . import optimizer as options
from . import reading, resume, schedule, weights
from .metrics import format_metrics
from .mpi_job import mpi_world, where_ranks
from .quiet import quieted
from .resume import ResumeNote
from .rows import gathered, split, training_rows
from .tabular import (
    add_column_options,
    add_csv_options,
    as_in_file,
    fraction,
    keep_reading,
    learning_rate,
    metrics,
    once,
    output_path,
    positive_int,
    quoted,
    read,
    reading_marks,
    said_left_out,
    seed,
)
from .usage import OptionError, as_option


def register(sub) -> None:
    p = sub.add_parser(
        "train", help="train a network on a CSV file",
        description="Train on a CSV file with a header row. Numeric columns are standardised, text columns "
                    "one-hot encoded; the model file keeps that preprocessing, so `predict` needs nothing else.",
        epilog="examples:\n  chainrule train iris.csv --target species --hidden 16 --epochs 100 --out iris.npz\n"
               "  chainrule train diabetes.csv --target progression --drop sex --na-values '?' --impute median "
               "--out diabetes.npz")
    p.add_argument("csv", help="the training data: a CSV file with a header row")
    p.add_argument("--target", required=True, type=reading.target_name, metavar="COL", help="the column to predict")
    p.add_argument("--out", required=True, help="model file to write (.npz)",
                   type=reading.output_name("--out", "the name of the model file to write", "iris.npz"))
    g = p.add_argument_group("columns")
    add_column_options(g)
    g.add_argument("--impute", choices=["mean", "median", "most_frequent"],
                   help="fill missing feature values (text columns take the most frequent value); "
                        "without it a missing value is refused")
    g.add_argument("--weight", metavar="COL", type=reading.column_name("--weight", "a column of sample weights"),
                   help="a column of sample weights (numbers >= 0), not an input: each row's loss counts that many "
                        "times in training and in the validation metrics (0 leaves the row out)")
    g.add_argument("--class-weight", type=weights.class_weight_arg, metavar="balanced|LABEL=W[,LABEL=W]",
                   help="weigh the training rows by their class: 'balanced' (each class weighs the same in all, "
                        "scikit-learn's) or weights by label, e.g. 'yes=3' (a class left out weighs 1; a label "
                        "holding a comma in double quotes: '\"a,b\"=2')")
    g.add_argument("--task", choices=["classification", "regression"],
                   help="override the detected task (text or small-integer targets are classes)")
    add_csv_options(p)
    g = p.add_argument_group("network and training")
    g.add_argument("--hidden", default="64", help="hidden layer widths, comma separated ('' for none)")
    g.add_argument("--activation", default="relu",
                   help="activation of every hidden layer, one name (relu, tanh, sigmoid, ...)")
    g.add_argument("--epochs", type=positive_int, default=100, metavar="N", help="passes over the training rows")
    g.add_argument("--batch-size", type=positive_int, default=32, metavar="N", help="rows per gradient step")
    g.add_argument("--optimizer", default="adam",
                   help="sgd, adam, adamw, rmsprop or adagrad, with --lr and --momentum (sgd here is plain "
                        "SGD(lr=0.001, momentum=0) unless they say otherwise: not fit's lr=0.01 nor "
                        "BackpropClassifier's momentum 0.9)")
    g.add_argument("--lr", type=learning_rate, default=1e-3, help="learning rate, whatever the optimizer")
    g.add_argument("--momentum", type=options.momentum, help="momentum of sgd or rmsprop (default: 0)")
    clip = g.add_mutually_exclusive_group()         # (Keras refuses clipnorm with clipvalue too)
    clip.add_argument("--clip-norm", type=options.clip_norm, metavar="NORM",
                      help="scale each step's gradients so that their global L2 norm is at most NORM (the "
                           "optimizers' clip_norm, torch.nn.utils.clip_grad_norm_'s); default: no clipping")
    clip.add_argument("--clip-value", type=options.clip_value, metavar="VALUE",
                      help="clip each gradient element to [-VALUE, VALUE] at each step (the optimizers' clip_value, "
                           "torch.nn.utils.clip_grad_value_'s, Keras' clipvalue); default: no clipping")
    g.add_argument("--schedule", type=schedule.schedule_arg, action=schedule.ScheduleAction,
                   metavar="NAME[@EPOCH][:KEY=VALUE,...]", help=schedule.HELP)
    g.add_argument("--val-split", type=fraction, default=0.2, help="fraction of the rows held out for validation")
    g.add_argument("--seed", type=seed, default=0, metavar="N", help="seed of the initial weights and the shuffling")
    g.add_argument("--dtype", choices=["float64", "float32"], default="float64", help="floating-point precision")
    g.add_argument("--checkpoint-dir", type=reading.output_name("--checkpoint-dir", "a folder for checkpoint.npz and "
                                                                "history.jsonl", "run", "for none"), metavar="DIR",
                   help="write a checkpoint after every epoch into this folder")
    g.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --checkpoint-dir")
    g.add_argument("--quiet", action="store_true",
                   help="nothing on stderr but warnings and errors: no progress, no lines saying what was read and "
                        "trained (the validation metrics and the file saved still go to stdout)")
    g.add_argument("--mpi", action="store_true",
                   help="data-parallel training under mpiexec (mpiexec -n 4 chainrule train ... --mpi): each rank "
                        "takes its share of every batch; rank 0 prints and saves")
    g.add_argument("--stream", action="store_true",
                   help="a file larger than memory: read it twice in chunks (the preprocessing, then the inputs, "
                        "written to files in $TMPDIR and read batch by batch); the same model as without")
    chunks = g.add_argument("--chunk-rows", type=positive_int, metavar="N",
                            help="rows per chunk with --stream (default: %(stream_default)s)")
    chunks.stream_default = resume.ChunkRowsDefault()     # CsvStream's, read when the help is shown
    p.set_defaults(func=train)


def _hidden(text: str) -> list[int]:
    parts = text.split(",") if text.strip() else []          # '' is no hidden layer
    if any(not s.strip() for s in parts):
        raise ValidationError(f"--hidden has an empty width between its commas: {text!r}; write widths like 64,32")
    sizes = [w for w in map(as_whole, parts) if w is not None]     # ASCII digits, as --epochs: int() reads '1_0'
    if len(sizes) < len(parts):
        raise ValidationError(f"--hidden must be comma-separated positive integers like 64,32; got {text!r}")
    if any(s < 1 for s in sizes):
        raise ValidationError(f"--hidden widths must be positive; got {text!r}")
    return sizes


def describe_columns(df, pre, reasons: dict | None = None) -> None:
    """Which columns became what, and why the text columns are text."""
    from ..data.columns import text_reason
    from ..data.csvfile import names
    from ..data.markers import pandas_note
    if pre.numeric:
        say(f"numeric columns ({len(pre.numeric)}, standardised): {names(pre.numeric, 12)}", sys.stderr)
    for c in pre.text:
        kept = len(pre.categories[c])
        other = f" + 'other' for {pre.other[c]} rarer ones" if c in pre.other else ""
        why = reasons[c] if reasons is not None else text_reason(df[c])
        say(f"text column {short(c)}: {kept} categories{other}, one-hot; {why}"
            f"{pandas_note(pre.categories[c], pre.na_values)}", sys.stderr)


class EpochLines(cr.callbacks.Callback):
    """One line per epoch on stderr: the progress when there is no terminal (CI, a pipe, a log)."""

    def on_train_begin(self, params):
        self.epochs = params["epochs"]

    def on_epoch_end(self, epoch, logs):
        shown = ", ".join(schedule.shown(k, v) for k, v in logs.items())
        say(f"epoch {epoch + 1}/{self.epochs}: {shown}", sys.stderr)


def train(args) -> int:
    """Under --mpi, an error of a rank before its fit (a bad cell) is brought to the ranks' meeting that opens
    fit (`agree`): every rank raises it, rank 0 says it (before, rank 0 waited out CHAINRULE_MPI_TIMEOUT in
    silence). The --out file's lock (`held`, taken by _train) is released however the job ends."""
    from ..saving.runlock import release_output
    held: list = []
    try:
        if not args.mpi:
            with quieted(args.quiet):
                return _train(args, None, [], held)
        world = mpi_world()
        where = where_ranks(world)
        from ..training import meeting
        reached: list = []                    # this rank's optimizer, once it is in fit (which meets the others)
        # how this job reports and ends, given with the communicator (no module state changes): its line and code;
        # a rank that died or hangs is a system that failed, 4 (it was 1: a bug's code); its errors come to the
        # meeting (HUNG alone); the CSV named where the ranks' data differ
        comm = meeting.JobComm(world, meeting.JobSettings(
            ending=partial(mpi_ending, args, held, reached), timed_out_code=4, not_come=meeting.HUNG,
            data_file=None if args.csv == "-" else os.path.abspath(args.csv)))
        try:
            with quieted(args.quiet):
                return _train(args, comm, reached, held, where)
        except (Exception, KeyboardInterrupt) as exc:
            if reached:
                raise
            if isinstance(exc, KeyboardInterrupt):      # the others may read their data for long: end the job now
                meeting.end(comm, exc)
            from .failures import carried
            meeting.agree(comm, carried(exc))
            raise
    finally:
        for out in held:
            release_output(out)


def mpi_ending(args, held: list, reached: list, rank: int, size: int, exc: BaseException) -> int:
    """Under --mpi, a rank's failure in training ends the job (MPI_Abort: the others wait in a collective): it
    says the line of one process's command (a rank other than 0 named) and ends with its exit code, where it
    said a line of its own and ended with 1 (a full disk, a Ctrl-C: 4, 130 without MPI)."""
    from ..saving.runlock import release_output
    from .failures import error_line
    from .interrupted import _resume_advice
    for out in held:                               # MPI_Abort skips `train`'s finally: another job may take --out
        release_output(out)
    if isinstance(exc, KeyboardInterrupt):         # before the save: --out is as it was
        line, code = (f"chainrule: interrupted; {str(args.out)!r} was not written (a file there before is "
                      f"unchanged){_resume_advice(args)}"), 130
    else:
        if isinstance(exc, TrainingDiverged):      # its advice in the options' words, as without --mpi
            exc = TrainingDiverged(options.diverged(str(exc), args, reached[0].lr if reached else args.lr))   # in force
        line, code = error_line(exc, "" if rank == 0 else f"rank {rank} of {size} failed: ")
    print(line, file=sys.__stderr__, flush=True)
    return code


def _options(args) -> tuple:
    """The options checked against each other before any output (under --mpi, before the job's line) and the
    (possibly long) reading and training: (hidden widths, activation, optimizer, schedule callbacks, its words)."""
    if not args.mpi and launched_ranks() > 1:     # first: each rank would say any other refusal alike, once a rank
        raise OptionError(f"started by {launcher()} as {launched_ranks()} processes without --mpi: each would train "
                          f"the whole model alone and write --out; add --mpi to train one model on all of them")
    reading_marks(args)
    hidden = _hidden(args.hidden)
    if "," in args.activation:
        raise ValidationError(f"--activation takes one activation, used by every hidden layer; got "
                              f"{args.activation!r} (for one per layer, build a chainrule.Network in Python)")
    try:
        activation = cr.Dense(1, 1, args.activation).activation
    except UnknownNameError as exc:
        raise as_option(exc, "activation") from None
    lr, scheduled, described = ((args.lr, [], None) if args.schedule is None else
                                schedule.build(args.schedule, args.lr, args.val_split > 0, args.epochs,
                                               bool(args.checkpoint_dir)))
    optimizer = options.build(args, lr)
    if args.chunk_rows is not None and not args.stream:
        raise OptionError(f"--chunk-rows needs --stream (it is the rows per chunk of --stream's passes); got "
                          f"--chunk-rows {args.chunk_rows} without it")
    if args.resume and not args.checkpoint_dir:
        raise OptionError("--resume needs --checkpoint-dir, the folder the checkpoints are in")
    if args.stream and args.mpi:
        raise OptionError("--stream and --mpi cannot be combined: give one of them")
    for given, option in ((args.weight, "--weight"), (args.class_weight, "--class-weight")):
        if given is not None and args.mpi:
            raise OptionError(f"{option} and --mpi cannot be combined: weighted training runs in one process")
    return hidden, activation, optimizer, scheduled, described


def _train(args, comm, reached: list, held: list, where: str = "") -> int:
    from ..data.columns import labels_as_written
    from ..data.tabular import Preprocessing
    from ..data.tailrows import tail
    from ..nn.metrics import metrics as logged_metrics
    from ..saving import checkpoint, runlock
    from ..saving.npz import save
    from ..training.streaming import Subset, check_inputs
    hidden, activation, optimizer, scheduled, described = _options(args)
    if args.checkpoint_dir is not None:
        checkpoint.folder(args.checkpoint_dir, "--checkpoint-dir")          # "" is refused as fit refuses it
        reading.not_folder(args.checkpoint_dir)
    resume.check(args, described, hidden, activation)
    out = output_path(args.out, {"CSV file": args.csv}, kind="model")
    assert out is not None                     # a model file: never standard output
    taken = checkpoint.file_of(out, args.checkpoint_dir) if args.checkpoint_dir else None
    if taken:
        raise ValidationError(f"--out {str(out)!r} is the {taken} of --checkpoint-dir {args.checkpoint_dir!r}: the "
                              "model would replace it; give --out another file")
    if comm is None or comm.Get_rank() == 0:   # (rank 0 saves) a second job given this --out is refused now
        held.append(out)                   # first: released even where a Ctrl-C comes as it is taken
        runlock.acquire_output(out)
    if where:          # the MPI job's ranks: said once its options, --out and --checkpoint-dir are taken, not before
        say(where, sys.stderr)          # a refusal of theirs
    stream = None
    if args.stream:                       # two passes over chunks of the file: it is never in memory whole
        import pandas as pd

        from ..data.stream import CsvStream
        stream = CsvStream(args.csv, rows=args.chunk_rows, sep=args.sep, encoding=args.encoding,
                           decimal=args.decimal, thousands=args.thousands, na_values=args.na_values or None)
        as_in_file(args, stream.header())
        header = weights.split_off(stream.header(), args) if args.weight is not None else stream.header()
        frame = pd.DataFrame(columns=header)
        frame.attrs["csv"] = {"name": args.csv}          # named by the refusals, as read_csv's table is
        columns, left = select_columns(frame, args.target, args.features, args.drop, args.text)
        said_left_out(left)
        keep = ((args.weight, lambda cells, line: weights.checked(cells, args.weight, line))
                if args.weight is not None else None)
        n_val, order = split(stream.count_rows(), args, on_disk=True)
        fit = partial(stream.fit, args.target, columns=list(columns.columns), task=args.task, impute=args.impute,
                      text_columns=args.text, max_categories=args.max_categories, keep=keep,
                      train=training_rows(order, len(order) - n_val))   # the statistics: training rows only
        pre = stream.pre = weights.as_checkpointed(fit(), args, lambda: fit(weighs=False))
        weight = stream.kept              # the --weight column, read in the same pass, in a temporary file
        say(stream.describe(), sys.stderr)
        if stream.said:
            say(stream.said, sys.stderr)
        df, n = None, stream.n_rows                # the rows count_rows counted (fit checks)
    else:
        df, weight = weights.take(read(args, args.csv), args)
        df, said = labels_as_written(df, args.target, args.task, args.text,
                                     lambda cols: read(args, args.csv, (), usecols=cols),    # the target alone
                                     lambda: once(args, args.csv))       # a pipe's bytes, read once
        if said:
            say(said, sys.stderr)
        df, left = select_columns(df, args.target, args.features, args.drop, args.text)
        said_left_out(left)
        n = len(df)
        n_val, order = split(n, args, on_disk=False)
        if weight is not None:            # each part must weigh something: said with the column, before its use
            weights.check_parts(weight[order], n_val, args)
        # the statistics (means, scales, fill values, categories, a regression target's mean and scale)
        # from the training rows alone, as scikit-learn fits on them; the classes from every row: the
        # network needs an output for a class seen only in validation rows
        fit = partial(Preprocessing.fit, df, args.target, task=args.task, impute=args.impute, text_columns=args.text,
                      max_categories=args.max_categories, train=training_rows(order, n - n_val))
        pre = weights.as_checkpointed(fit(sample_weight=weight), args, fit)    # weight 0: a row shapes nothing
    keep_reading(pre, args, stream)       # predict reads the file's cells, numbers, separator, encoding as train did
    describe_columns(df, pre, stream.reasons if stream is not None else None)
    class_weight = None if args.class_weight is None else weights.by_class(args.class_weight, pre, args.target)
    if weight is not None:                # the weights in the rows' order
        weight = gathered(weight, order)    # in a temporary file with --stream, as the order is
        if stream is not None:            # (read in the preprocessing's pass: checked once they are all read)
            weights.check_parts(weight, n_val, args)
        say(weights.describe(weight, args.weight), sys.stderr)
    # the categories are those of the training rows of weight above 0: a value unseen is in the other rows
    unseen_in = "in the validation rows" + ("" if weight is None or bool((weight[:n - n_val] > 0).all()) else
                                            " or the training rows of weight 0")
    if stream is not None:                # written to disk in the file's order (sequential writes), read in this one
        X, y = stream.encode(None, dtype=args.dtype, unseen_in=unseen_in)
    else:
        unseen: dict[str, set] = {}
        X = pre.transform(df, dtype=args.dtype, rows=order, none_missing=False, unseen=unseen)
        y = pre.encode_target(df)[order]
        del df                            # the table is encoded: training holds only X and y
        warn_unseen(pre, unseen, unseen_in)
    classify = pre.task == "classification"
    spec = logged_metrics(None, None, pre.task)               # the keys fit logs, as the engine names them
    logged = ["loss", *spec.keys]
    schedule.watched(args.schedule, scheduled, logged + [f"val_{k}" for k in logged] * bool(n_val))
    widths = [X.shape[1], *hidden, len(pre.classes) if classify else 1]
    layers = [cr.Dense(a, b, activation.name if i < len(widths) - 2 else ("softmax" if classify else "linear"))
              for i, (a, b) in enumerate(zip(widths, widths[1:]))]
    net = cr.Network(layers, loss="categorical_crossentropy" if classify else "mse", dtype=args.dtype,
                     seed=args.seed)
    val = slice(n - n_val, n)
    if stream is not None:                # the rows of the in-memory path, in its order: only indices move
        X, y = Subset(check_inputs(net, X), order), gathered(y, order)
    if class_weight is not None:          # the training rows' labels: in the rows' order, validation last
        kept = None if weight is None else weight[:n - n_val]
        say(weights.describe_classes(class_weight, pre, y[:n - n_val], kept, args.out), sys.stderr)
    say(f"{pre.task} of {args.target!r}: {n - n_val} training and {n_val} validation rows, {X.shape[1]} inputs; "
        f"network {'-'.join(map(str, widths))}", sys.stderr)
    if not classify:                      # the losses below are not in the file's units: the summary's metrics are
        say(pre.losses_of(bool(args.weight)), sys.stderr)
    # on stderr (fit's own is on stdout): stdout holds the results; --quiet's stderr (quiet.Dropped) is no terminal
    bar = sys.stderr.isatty()
    callbacks: list = [*scheduled, *([schedule.RateLog()] if args.schedule else [])]    # the rate: logged first
    callbacks += [] if bar else [EpochLines()]       # --quiet drops their lines with the other notes
    if args.resume:
        callbacks.append(ResumeNote(args.checkpoint_dir))
    recorded = {"tabular": pre.to_json(), **({"weight": args.weight} if args.weight else {}),   # evaluate: the column
                **({"class_weight": args.class_weight} if args.class_weight else {}),    # plot curves says it
                **({"schedule": described} if described else {})}                # a resume compares it
    if args.checkpoint_dir:               # its checkpoints carry what the model does: predict reads them as models
        rows = None if stream is None else stream.n_rows       # a resume compares how the file was read
        callbacks.append(checkpoint.CheckpointExtra({**recorded, "stream": resume.reading(args, rows)}))
    if bar:                               # last, as fit puts its own: its line shows what the others logged
        callbacks.append(cr.callbacks.ProgressBar(file=sys.stderr))
    reached.append(optimizer)             # its rate, a --schedule's, is the one a failure's advice names
    try:
        with options.warned_in_options(args, lambda: schedule.lower_rate(args, optimizer.lr)), \
                schedule.named_as_given(args.schedule, bool(args.checkpoint_dir)):
            history = net.fit(X, y, epochs=args.epochs, batch_size=args.batch_size, optimizer=optimizer,
                              validation_split=args.val_split if n_val else 0.0, seed=args.seed,
                              verbose=0, callbacks=callbacks, checkpoint_dir=args.checkpoint_dir, resume=args.resume,
                              comm=comm, sample_weight=weight, class_weight=class_weight,
                              weight_reduction="mean_with_sample_weight")     # scikit-learn's, as the pipeline
    except (ValidationError, ModelFileError) as exc:   # another run's checkpoint: said in the options' words, and
        named = quoted(exc, checkpoint.checkpoint_path(args.checkpoint_dir)) if args.checkpoint_dir else exc
        raise schedule.resume_refusal(named) from None  # the file quoted, as the command names every file
    except TrainingDiverged as exc:       # the advice in the command line's words (inputs are already scaled)
        raise TrainingDiverged(options.diverged(str(exc), args, optimizer.lr)) from None
    if comm is not None and comm.Get_rank() != 0:
        return 0                          # rank 0 saves and reports
    summary = {"epochs": len(history.epoch), **{k: v[-1] for k, v in history.history.items()}}
    save(net, out, extra={**recorded, "history": summary})
    shown = format_metrics(metrics(net, pre, tail(X, n_val), y[val]) if weight is None else
                           weights.metrics(net, pre, tail(X, n_val), y[val], weight[val])) if n_val else ""
    weighted = f" (rows weighted by {args.weight!r})" if args.weight else ""
    if not any(getattr(cb, "nothing_left", False) for cb in callbacks):    # said by ResumeNote: no epoch trained
        say(f"validation{weighted}{'' if classify else ' in the units of ' + short(args.target)}: {shown}" if shown
            else "no validation rows (--val-split 0)")
    say(f"saved {word(args.out)}")
    return 0

