"""What a learner meets in `explain` and `example`: a random sample's class drawn as its inputs are, leaky ReLU's
slope and a Dropout rate written by the rule of every other figure, one rule for the samples explain refuses."""
from __future__ import annotations

import json
import re

import numpy as np
from conftest import cmd

import chainrule as cr
from chainrule.cli.explain_sample import random_sample


def test_a_softmax_random_sample_draws_its_class_not_always_class_0():
    # every softmax network's random sample had class 0 as its target, while a binary one drew each of 0 and 1
    for loss in ("categorical_crossentropy", "mse"):
        labels = []
        for seed in range(12):
            net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 4, "softmax")], loss=loss, seed=seed)
            X, Y, said = random_sample(net, seed)
            assert Y.shape == (1,) and int(Y[0]) in range(4), Y
            assert f"--targets {int(Y[0])} (class {int(Y[0])} = o{int(Y[0]) + 1}," in said, said
            again = random_sample(net, seed)          # seeded: the same sample each time
            assert np.array_equal(again[0], X) and np.array_equal(again[1], Y)
            labels.append(int(Y[0]))
        assert len(set(labels)) >= 3, (loss, labels)       # 12 draws of 4 classes: not one class


def test_a_softmax_random_sample_typed_back_gives_the_same_report():
    options = ["--layers", "2,3,4", "--activation", "relu,softmax", "--loss", "categorical_crossentropy"]
    for seed in (0, 4):
        r = cmd("explain", *options, "--seed", str(seed), "--format", "json")
        assert r.returncode == 0, r.stderr
        said = re.search(r"--inputs (\S+) --targets (\d+) \(class \d+ = o\d+, one-hot ([\d,]+)\)", r.stderr)
        assert said, r.stderr
        targets = [t["value"][0] for t in json.loads(r.stdout)["targets"]]
        assert targets == list(np.eye(4)[int(said[2])]) == [float(v) for v in said[3].split(",")], targets
        again = cmd("explain", *options, "--seed", str(seed), "--inputs", said[1], "--targets", said[2], "--format",
                    "json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["E_total"] == json.loads(r.stdout)["E_total"]
