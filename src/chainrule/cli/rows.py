"""The rows' order of `chainrule train`: shuffled, the validation rows last, and what follows it (the
training rows' mask, the targets in that order), in temporary files with --stream (no memory a row)."""
from __future__ import annotations

from ..errors import ValidationError, counted


def rolled(order, k: int):
    """np.roll(order, -k): the same array kind (a file-backed order stays in a file), a block at a time."""
    import numpy as np
    if not isinstance(order, np.memmap):
        return np.roll(order, -k)
    from ..backend.pages import Pages, scratch
    n = order.shape[0]
    out = scratch(n, order.dtype)
    pages = Pages(order, out, in_order=True)
    for a in range(0, n, 1 << 20):
        b = min(n, a + (1 << 20))
        out[a:b] = order[(np.arange(a, b) + k) % n]
        pages.touched(b - a, 2 * order.itemsize, contiguous=True)
    pages.release()
    return out


def gathered(y, order):
    """y[order], in a temporary file when the order is in one (`--stream`), a block at a time."""
    import numpy as np
    if not isinstance(order, np.memmap):
        return y[order]
    from ..backend.pages import Pages, scratch
    out = scratch(order.shape[0], y.dtype).reshape((-1, *y.shape[1:]))
    pages = Pages(y, order, out, in_order=True)
    for a in range(0, order.shape[0], 1 << 20):
        out[a:a + (1 << 20)] = y[order[a:a + (1 << 20)]]
        pages.touched(min(1 << 20, order.shape[0] - a), y.itemsize + order.itemsize, contiguous=True)
    pages.release()
    return out


def training_rows(order, n_train: int):
    """The boolean mask of the rows order[:n_train] (the training rows), in a temporary file when
    the order is in one (`--stream`: no memory a row), a block at a time; None when every row is a
    training row (--val-split 0)."""
    import numpy as np
    n = order.shape[0]
    if n_train >= n:
        return None
    if not isinstance(order, np.memmap):
        mask = np.zeros(n, dtype=bool)
        mask[order[:n_train]] = True
        return mask
    from ..backend.pages import scratch
    mask = scratch(n, np.bool_)
    for a in range(0, n, 1 << 20):
        mask[a:a + (1 << 20)] = False
    for a in range(0, n_train, 1 << 20):
        mask[order[a:min(n_train, a + (1 << 20))]] = True
    return mask


def split(n: int, args, on_disk: bool):
    """(validation rows, the rows' order: shuffled, the validation rows last) of n rows, drawn before
    the preprocessing, which learns from the training rows alone."""
    import numpy as np

    from ..training.arguments import held_out
    from ..training.trainer import permutation
    n_val = held_out(n, args.val_split)             # the rows fit's validation_split holds out
    if args.val_split and not 1 <= n_val < n:
        lacks = "no row to train on" if n_val >= n else "no validation row"
        raise ValidationError(f"--val-split {args.val_split} leaves {lacks}: it holds out {n_val} of the file's "
                              f"{counted(n, 'row')} (n - floor(n * (1 - val_split)), Keras' count); give another "
                              "--val-split (0: train on every row) or a file of more rows")
    # the rows encoded in a shuffled order, the validation rows last (fit's validation_split takes
    # them as a range): the split copies nothing; one-hot columns stay sparse, in the network's dtype.
    # With --stream the order is in a temporary file, as the inputs are: no memory a row
    return n_val, rolled(permutation(np.random.default_rng(args.seed), n, small=True, on_disk=on_disk), n_val)
