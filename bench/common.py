"""Shared pieces of the Python side of `cargo xtask bench`: arguments, data, the result line.

The bench starts `torch_mlp.py` and `keras_mlp.py` with the same arguments; both read the four
official IDX files (gzip) from `--data`, split them 54,000 / 6,000 by class, train the
reference MLP for `--epochs` epochs and print one line `BENCH_JSON {...}` on stdout.
Nothing here downloads anything.
"""

import argparse
import gzip
import json
import os
import resource

import numpy as np

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
VALIDATION_PER_CLASS = 600


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", required=True, help="folder with the four official .gz files")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--eval-repeats", type=int, default=5)
    parser.add_argument("--eval-batch-size", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def read_idx(path, header_bytes):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=header_bytes)


def load(folder, seed):
    """((x_train, y_train), (x_val, y_val), (x_test, y_test)): float32 [n, 784] in [0, 1]
    and int64 labels; validation holds 600 rows of each class, chosen with `seed`."""
    x = read_idx(os.path.join(folder, TRAIN_IMAGES), 16).reshape(-1, 784)
    y = read_idx(os.path.join(folder, TRAIN_LABELS), 8).astype(np.int64)
    x_test = read_idx(os.path.join(folder, TEST_IMAGES), 16).reshape(-1, 784)
    y_test = read_idx(os.path.join(folder, TEST_LABELS), 8).astype(np.int64)
    rng = np.random.default_rng(seed)
    held = np.concatenate(
        [rng.permutation(np.flatnonzero(y == c))[:VALIDATION_PER_CLASS] for c in range(10)]
    )
    keep = np.setdiff1d(np.arange(len(y)), held)
    held.sort()
    scale = lambda a: (a.astype(np.float32) / 255.0)
    return (scale(x[keep]), y[keep]), (scale(x[held]), y[held]), (scale(x_test), y_test)


def peak_rss_kb():
    """This process's peak resident set in KiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(fields):
    fields["peak_rss_kb"] = peak_rss_kb()
    print("BENCH_JSON " + json.dumps(fields), flush=True)
