"""How a refusal's advice names what its reader can give: the same check speaks to five callers.

`Preprocessing.fit` (the default, "fit") gets its own arguments (`text_columns=['x']`, `impute=`), a
reading option as read_csv's argument (chainrule's and pandas' read_csv take the same: `na_values=`,
`decimal=`, `thousands=`, `encoding=`, `sep=`), a column left out with `df.drop(columns=...)`.
`CsvStream` ("stream") has no DataFrame: its reading options are CsvStream's, its columns fit's
`columns=`. `run_sweep` ("sweep") reads a path: `drop=`, `na_values=`, `read={...}`. The `chainrule`
command ("command") names its options (`--text 'x'`), and `chainrule sweep` ("sweep command") the
command's but where its own differ (`chainrule sweep --drop`, no --stream). Who speaks is a context
variable (`words`), not the process's: a thread running the command leaves another thread's
`Preprocessing.fit` in Python's words; a thread the command starts for itself runs in a copy of its
context (`contextvars.copy_context`). One table, `WORDS`, holds every caller's words; a message asks it with `give`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

#: who reads the advice; "fit" (Python's DataFrame caller) is the default, and the words of a caller not in
#: an entry of WORDS
CALLERS = ("fit", "stream", "sweep", "command", "sweep command", "backup")
#: a caller whose words are another's but where its entry says otherwise (`chainrule sweep` has no --stream)
_LIKE = {"sweep command": "command", "backup": "fit"}    # "backup": fit given Keras' BackupAndRestore

_READ = "(read_csv, chainrule's or pandas')"
#: how Python saves a comma-separated file with ';' between its fields, its cells kept as written (no 'None' or
#: 'N/A' read as missing, as pandas' default markers would) and in its encoding (`resave`'s values)
_RESAVE = ("save it with ';' between fields (pandas.read_csv(path, dtype=str, keep_default_na=False{enc})"
           ".to_csv(new_path, sep=';', index=False{enc}))")

#: each piece of advice, formatted with `give`'s values: {caller: words}, "fit" and "command" in every entry
WORDS: dict[str, dict[str, str]] = {
    "text": {"fit": "text_columns=[{column}]", "command": "--text {column}"},
    # characters replaced in the file: a shell's sed for the command, Python's own words for Python's reader
    "replace in file": {"fit": "e.g. in Python: open(new_path, 'w', encoding='utf-8').write(open(path, "
                               "encoding='utf-8').read(){py})",
                        "command": "e.g. sed '{sed}' FILE > NEW"},
    # NUL bytes removed from a file: tr for the command, Python's own lines for Python's reader
    "remove nul bytes": {"fit": "in Python: open({new_py}, 'wb').write(open({path_py}, 'rb').read().replace(b'\\x00', "
                                "b''))",
                         "command": "tr -d '\\000' < {path_sh} > {new_sh}"},
    "drop": {"fit": "df.drop(columns=[{column}])", "stream": "fit(columns=[...]) without {column}",
             "sweep": "drop=[{column}]", "command": "--drop {column}"},
    "drop any": {"fit": "df.drop(columns=...)", "stream": "fit(columns=[...])", "sweep": "drop=[...]",
                 "command": "--drop"},
    "drop column": {"fit": "df.drop(columns=[...])", "stream": "fit(columns=[...])", "sweep": "drop=[...]",
                    "command": "--drop COLUMN"},
    "leave out": {"fit": "df.drop(columns=[{column}])", "stream": "fit(columns=[...]) without {column}",
                  "sweep": "drop=[{column}]", "command": "chainrule train --drop {column}",
                  "sweep command": "chainrule sweep --drop {column}"},
    # the rows without a label: a DataFrame drops them, a file is written again without them (no reader skips them)
    "drop unlabelled": {"fit": "df.dropna(subset=[{column}])", "stream": "write the file without {rows}, e.g. {code}",
                        "sweep": "write the file without {rows}, e.g. {code}",
                        "command": "write the file without {rows}, e.g. {line}"},
    "impute": {"fit": "impute=", "command": "--impute"},
    "impute as": {"fit": "impute={how!r}", "command": "--impute {how}"},
    "impute any": {"fit": "impute='mean', 'median' or 'most_frequent'",
                   "command": "--impute mean|median|most_frequent"},
    "task": {"fit": "task={task!r}", "command": "--task {task}"},
    "max categories": {"fit": "max_categories=", "command": "--max-categories"},
    "dtype": {"fit": "dtype={dtype!r}", "command": "--dtype {dtype}"},
    "train float64": {"fit": "transform with dtype='float64'", "stream": "encode with dtype='float64'",
                      "sweep": "sweep with dtype='float64'", "command": "train with --dtype float64",
                      "sweep command": "sweep with --dtype float64"},
    # "": none (run_sweep and the sweep command read no stream)
    "stream": {"fit": "chainrule.data.stream.CsvStream", "sweep": "", "command": "chainrule train --stream",
               "sweep command": ""},
    "na values": {"fit": f"Read the file with na_values=[{{value}}] {_READ}",
                  "stream": "Read the file with CsvStream(path, na_values=[{value}])",
                  "sweep": "Read the file with na_values=[{value}]", "command": "Give --na-values {value}"},
    "thousands": {"fit": f"read the file with thousands=',' {_READ}",
                  "stream": "read the file with CsvStream(path, thousands=',')",
                  "sweep": "read the file with read={{'thousands': ','}}", "command": "give --thousands ','"},
    # a file read with decimal=',' already (given, or the model's), whose numbers also write '.' between thousands
    "thousands.": {"fit": f"read the file with thousands='.' too {_READ}",
                   "stream": "read the file with CsvStream(path, decimal=',', thousands='.')",
                   "sweep": "read the file with read={{'decimal': ',', 'thousands': '.'}}",
                   "command": "give --thousands '.' too"},
    "spaced": {"fit": f"read the file with thousands=' ' {_READ}",
               "stream": "read the file with CsvStream(path, thousands=' ')",
               "sweep": "read the file with read={{'thousands': ' '}}", "command": "give --thousands ' '"},
    "decimal spaced": {"fit": f"read the file with decimal=',' and thousands=' ' {_READ}",
                       "stream": "read the file with CsvStream(path, decimal=',', thousands=' ')",
                       "sweep": "read the file with read={{'decimal': ',', 'thousands': ' '}}",
                       "command": "give --decimal ',' --thousands ' '"},
    "decimal.": {"fit": f"read the file with decimal=',' and thousands='.' {_READ}",
                 "stream": "read the file with CsvStream(path, decimal=',', thousands='.')",
                 "sweep": "read the file with read={{'decimal': ',', 'thousands': '.'}}",
                 "command": "give --decimal ',' --thousands '.'"},
    "decimal": {"fit": f"read the file with decimal=',' {_READ}",
                "stream": "read the file with CsvStream(path, decimal=',')",
                "sweep": "read the file with read={{'decimal': ','}}", "command": "give --decimal ','"},
    # a decimal comma in a file whose separator is the comma ("1,5" quoted): no reader here takes the decimal
    # mark equal to the separator (predict would misread a new file's unquoted 1,5 as two fields), so the way
    # that works is the file saved with ';' between its fields
    "decimal sep": {"fit": f"{_RESAVE}, then read it with sep=';', decimal=','{{enc}} {_READ}",
                    "stream": f"{_RESAVE}, then read it with CsvStream(new_path, sep=';', decimal=','{{enc}})",
                    "sweep": f"{_RESAVE}, then read it with read={{{{'sep': ';', 'decimal': ','{{read_enc}}}}}}",
                    "command": "save it with ';' between fields: {line}, then read {new} with --sep ';' --decimal "
                               "','{option_enc}"},
    "decimal spaced sep": {"fit": f"{_RESAVE}, then read it with sep=';', decimal=',', thousands=' '{{enc}} {_READ}",
                           "stream": f"{_RESAVE}, then read it with CsvStream(new_path, sep=';', decimal=',', "
                                     "thousands=' '{enc})",
                           "sweep": f"{_RESAVE}, then read it with read={{{{'sep': ';', 'decimal': ',', 'thousands': "
                                    "' '{read_enc}}}",
                           "command": "save it with ';' between fields: {line}, then read {new} with --sep ';' "
                                      "--decimal ',' --thousands ' '{option_enc}"},
    "decimal. sep": {"fit": f"{_RESAVE}, then read it with sep=';', decimal=',', thousands='.'{{enc}} {_READ}",
                     "stream": f"{_RESAVE}, then read it with CsvStream(new_path, sep=';', decimal=',', "
                               "thousands='.'{enc})",
                     "sweep": f"{_RESAVE}, then read it with read={{{{'sep': ';', 'decimal': ',', 'thousands': "
                              "'.'{read_enc}}}",
                     "command": "save it with ';' between fields: {line}, then read {new} with --sep ';' --decimal "
                                "',' --thousands '.'{option_enc}"},
    # a decimal mark equal to the separator, of another file (the default '.' of a file given sep='.')
    "decimal other": {"fit": "give another with decimal= (e.g. decimal=',')",
                      "stream": "give another with CsvStream(path, decimal=...) (e.g. decimal=',')",
                      "sweep": "give another with read={{'decimal': ...}} (e.g. ',')",
                      "command": "give another with --decimal (e.g. --decimal ',')"},
    "encoding": {"fit": "read it with its encoding, e.g. encoding='latin-1' (or 'cp1252')",
                 "stream": "read it with its encoding, e.g. CsvStream(path, encoding='latin-1') (or 'cp1252')",
                 "sweep": "read it with its encoding, e.g. read={{'encoding': 'latin-1'}} (or 'cp1252')",
                 "command": "give its encoding, e.g. --encoding latin-1 (or cp1252)"},
    "encoding named": {"fit": "read it with encoding={encoding!r}",
                       "stream": "read it with CsvStream(path, encoding={encoding!r})",
                       "sweep": "read it with read={{'encoding': {encoding!r}}}",
                       "command": "give --encoding {encoding}"},
    "sep": {"fit": "read it with sep={char!r}", "stream": "read it with CsvStream(path, sep={char!r})",
            "sweep": "read it with read={{'sep': {char!r}}}",
            "command": "give --sep {sep}"},
    "sep any": {"fit": f"give it with sep= {_READ}", "stream": "give it with CsvStream(path, sep=...)",
                "sweep": "give it with read={{'sep': ...}}", "command": "give it with --sep"},
    # the arguments' own names, as select_columns, run_sweep, to_onnx and the command's weights name them
    "features": {"fit": "features", "command": "--features"},
    "drop argument": {"fit": "drop", "command": "--drop"},
    "text argument": {"fit": "text_columns", "command": "--text"},
    "class_weight": {"fit": "class_weight", "command": "--class-weight"},
    "weight": {"fit": "weight", "command": "--weight"},
    "out_dir": {"fit": "out_dir", "command": "--out-dir"},
    "grid": {"fit": "grid", "command": "--grid"},
    "grid name": {"fit": "grid name={name!r}", "command": "--grid name {name!r}"},
    "grid names": {"fit": "the grid names", "command": "--grid names"},
    "weight rows": {"fit": "a column of sample weights, weight='COL',", "command": "--weight COL"},
    "opset": {"fit": "opset", "command": "--opset"},
    "checkpoint_dir": {"fit": "checkpoint_dir", "command": "--checkpoint-dir",
                       "backup": "BackupAndRestore(backup_dir)"},
    # a resume refused: what differs from the checkpoint's run, as the caller gave it (fingerprint.differences)
    "resume": {"fit": "resume=True (chainrule train --resume)", "command": "--resume"},
    "same arguments": {"fit": "arguments", "command": "options"},
    "name": {"fit": "name", "command": "--optimizer"},
    "lr": {"fit": "lr", "command": "--lr"},
    "momentum": {"fit": "momentum", "command": "--momentum"},
    "clip_norm": {"fit": "clip_norm", "command": "--clip-norm"},
    "clip_value": {"fit": "clip_value", "command": "--clip-value"},
    "batch_size": {"fit": "batch_size", "command": "--batch-size"},
    "X": {"fit": "the inputs X", "command": "the inputs (the CSV's rows and columns; --features, --drop, --text, "
                                            "--val-split, --seed)"},
    "Y": {"fit": "the targets Y", "command": "the targets (--target's values; --val-split, --seed)"},
    "weight column": {"fit": "weight column {column}", "command": "--weight column {column}"},
    "weight not input": {"fit": "the weight column {column} cannot also be the target, in features or in drop: it "
                                "is not an input",
                         "command": "the --weight column {column} cannot also be the --target, in --features or in "
                                    "--drop: it is not an input"},
    "groups": {"fit": "groups", "command": "--groups"},
    "groups column": {"fit": "groups column {column}", "command": "--groups column {column}"},
    "groups not input": {"fit": "the groups column {column} cannot also be the target, the weight column, in features "
                                "or in drop: it says which rows a splitter keeps together, not an input",
                         "command": "the --groups column {column} cannot also be the --target, the --weight column, "
                                    "in --features or in --drop: it says which rows a fold keeps together, not an "
                                    "input"},
    "too few groups": {"fit": "cv={cv!r} cuts {folds} folds, each of whole groups, and the groups column {column} has "
                              "{groups} (ask for fewer folds)",
                       "command": "--cv {folds} cuts {folds} folds, each of whole groups, and the --groups column "
                                  "{column} has {groups} (ask for --cv {groups} or fewer, or give more groups)"},
    "epochs given": {"fit": "epochs={epochs}", "command": "--epochs {epochs}"},
    "scoring given": {"fit": "scoring={scoring!r}", "command": "--scoring {scoring}"},
    "n_iter given": {"fit": "n_iter={n_iter}", "command": "--n-iter {n_iter}"},
    "error_score given": {"fit": "error_score={error_score}", "command": "--error-score {error_score}"},
    "without n_iter": {"fit": "without n_iter", "command": "without --n-iter"},
    "jobs": {"fit": "n_jobs", "command": "--jobs"},
    "grid class_weight": {"fit": "'balanced', None (unweighted) or {{label: weight}}",
                          "command": "balanced or none (unweighted); weights by label are given with --class-weight "
                                     "LABEL=W[,LABEL=W] (one weighting for every fit; run_sweep's grid in Python "
                                     "compares several: {{label: weight}} dicts)"},
    "scheduler": {"fit": "scheduler", "command": "--scheduler"},
    "more epochs": {"fit": "try epochs={more}, or compare in the grid: {{'epochs': [{epochs}, {more}]}}",
                    "command": "try --epochs {more}, or compare in the grid: 'epochs={epochs},{more}'"},
}

#: who reads the advice now: a context's choice (each thread starts with its own, Python's), not the process's
_CALLER: ContextVar[str] = ContextVar("chainrule_advice_caller", default="fit")


def give(key: str, **values: Any) -> str:
    """The advice `key` of WORDS in the words of who reads it (`words`' caller, else Python's: "fit")."""
    said, caller = WORDS[key], _CALLER.get()
    while caller not in said and caller in _LIKE:
        caller = _LIKE[caller]
    return said.get(caller, said["fit"]).format(**values)


def caller() -> str:
    """Who reads the advice now (one of CALLERS): for a message whose values too are said in its reader's words."""
    return _CALLER.get()


def resave(name: str | None, encoding: str | None) -> dict[str, str]:
    """`give`'s values for the advice to save the comma-separated file `name` (None: not known) with ';' between
    its fields, read and written in its `encoding` (said only when not UTF-8): the command's runnable line
    (`line`, the new file `new` in the folder it is run in, `option_enc`), Python's `enc` and run_sweep's
    `read_enc`."""
    import codecs
    import json
    import re
    import shlex
    import sys
    from pathlib import PurePath
    name = name or "FILE.csv"
    encoding = encoding or "utf-8"
    said = codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig")
    enc = f", encoding={encoding!r}" if said else ""
    path = PurePath(name)
    stem = re.sub(r"[^\w.-]", "_", path.stem)             # a name the shell takes unquoted, in the folder it runs in
    suffix = path.suffix if re.fullmatch(r"[.\w]+", path.suffix) else ".csv"
    new = f"{stem}-semicolon{suffix}"
    # the code's strings in double quotes (JSON's are Python's), so that the shell's single quotes around it
    # stay one plain word; this interpreter, which has pandas, not a `python` that may be missing from PATH
    quoted = {k: json.dumps(v, ensure_ascii=False) for k, v in (("name", name), ("new", new), ("enc", encoding))}
    code_enc = f", encoding={quoted['enc']}" if said else ""
    code = (f"import pandas as pd; pd.read_csv({quoted['name']}, dtype=str, keep_default_na=False{code_enc})"
            f'.to_csv({quoted["new"]}, sep=";", index=False{code_enc})')
    line = f"{shlex.quote(sys.executable or 'python3')} -c {shlex.quote(code)}"
    return {"enc": enc, "read_enc": f", 'encoding': {encoding!r}" if said else "", "line": line,
            "new": shlex.quote(new), "option_enc": f" --encoding {shlex.quote(encoding)}" if said else ""}


@contextmanager
def words(caller: str) -> Iterator[None]:
    """`caller`'s words (one of CALLERS) for the block, reset after it, also on an exception; an outer caller's
    choice stands (the command's `run_sweep` and `CsvStream` speak the command's words), but where `caller` is
    it more precisely (the sweep command within the command). A decorator too."""
    if caller not in CALLERS:
        raise ValueError(f"caller must be one of {', '.join(CALLERS)}; got {caller!r}")
    token = _CALLER.set(caller) if _CALLER.get() in ("fit", _LIKE.get(caller)) else None
    try:
        yield
    finally:
        if token is not None:
            _CALLER.reset(token)


def command_words() -> Any:
    """The `chainrule` command's words for its run: its options, not the Python arguments."""
    return words("command")
