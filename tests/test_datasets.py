"""Fashion-MNIST's IDX reader, on small IDX files written here."""
import gzip

import numpy as np
import pytest

from chainrule.data.datasets import load_fashion_mnist, read_idx
from chainrule.errors import ValidationError


def write_idx(path, array, compress=True):
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    data = header + array.tobytes()
    (gzip.open if compress else open)(path, "wb").write(data)


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    for kind, n in (("train", 6), ("t10k", 3)):
        write_idx(tmp_path / f"{kind}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(tmp_path / f"{kind}-labels-idx1-ubyte.gz", rng.integers(0, 10, n, dtype=np.uint8))
    return tmp_path


def test_reads_train_and_test(folder):
    X, y = load_fashion_mnist(folder)
    assert X.shape == (6, 784) and X.dtype == np.float32 and 0 <= X.min() and X.max() <= 1 and y.shape == (6,)
    raw = read_idx(folder / "train-images-idx3-ubyte.gz")
    np.testing.assert_array_equal(X, raw.reshape(6, -1).astype(np.float32) / 255)
    X, y = load_fashion_mnist(folder, kind="test", flatten=False)
    assert X.shape == (3, 28, 28) and y.dtype == np.int64


def test_uncompressed_and_other_dtypes(tmp_path):
    a = np.arange(12, dtype=">i4").reshape(3, 4)
    write_idx(tmp_path / "a", a, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), a)


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(ValidationError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path)


def test_corrupt_files(tmp_path, folder):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValidationError, match="bad magic"):
        read_idx(tmp_path / "bad")
    data = gzip.open(folder / "train-images-idx3-ubyte.gz").read()
    gzip.open(tmp_path / "short.gz", "wb").write(data[:-10])
    with pytest.raises(ValidationError, match="needs"):
        read_idx(tmp_path / "short.gz")
    with pytest.raises(ValidationError, match="kind must be"):
        load_fashion_mnist(folder, kind="validation")


@pytest.mark.parametrize("dtype", ["int32", "uint8", bool, "banana"])
def test_a_dtype_that_cannot_hold_scaled_pixels_is_named(folder, dtype):
    """Pixels in [0, 1] need a floating type: an integer one was NumPy's casting error, a bad name its TypeError."""
    with pytest.raises(ValidationError, match=r"dtype must be a floating type .* got"):
        load_fashion_mnist(folder, dtype=dtype)


def test_float64_and_flatten_checked(folder):
    X, _ = load_fashion_mnist(folder, dtype="float64", flatten=False)
    raw = read_idx(folder / "train-images-idx3-ubyte.gz")
    assert X.dtype == np.float64 and X.shape == (6, 28, 28)
    np.testing.assert_array_equal(X, raw / 255.0)
    with pytest.raises(TypeError, match="flatten must be True or False; got 'no'"):
        load_fashion_mnist(folder, flatten="no")      # a string was read as True


def test_a_file_given_as_the_folder_is_named(folder):
    with pytest.raises(ValidationError, match="path must be the folder holding the IDX files; got the file"):
        load_fashion_mnist(folder / "train-images-idx3-ubyte.gz")
    with pytest.raises(TypeError, match="path must be a path"):
        load_fashion_mnist(123)


@pytest.mark.parametrize("given", [123, None, ["a.gz"]])
def test_read_idx_names_a_path_that_is_not_one(given):
    """read_idx's path is checked as load_fashion_mnist's: Path()'s bare TypeError named no argument."""
    with pytest.raises(TypeError, match=r"read_idx: path must be a path \(str or os.PathLike\); got"):
        read_idx(given)
