"""Wrong arguments: one line on stderr, exit code 2.  User mistakes (missing or corrupt
files, data not found, inputs of the wrong shape): one line ``deepnum: error: ...``, exit
code 1, never a traceback unless DEEPNUM_DEBUG=1."""

from __future__ import annotations

import numpy as np
import pytest
from cli_support import one_error_line, run

from deepnum.cli import main
from deepnum.cli._parser import one_line
from deepnum.cli.settings import conflicts, resolve
from deepnum.datasets import digits
from deepnum.io import write_file

(_, _), (X_TEST, Y_TEST) = digits.load_data()


@pytest.fixture(autouse=True)
def _keep_blas_threads(monkeypatch):
    """``main`` runs in this process here: leave the session's BLAS threads alone."""
    monkeypatch.setattr("deepnum.cli.limit_threads", lambda: None)


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str, prefix: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), lines[0]
    return lines[0]


@pytest.mark.parametrize("argv, expected", [
    (["train", "--epochs", "x"], "deepnum train: error: argument --epochs: invalid positive "
                                 "int value: 'x'"),
    (["train", "--epochs", "0"], "argument --epochs: invalid positive int value: '0'"),
    (["train", "--batch-size", "-3"], "argument --batch-size: invalid positive int"),
    (["train", "--hidden"], "argument --hidden: expected at least one argument"),
    (["train", "--hidden", "512", "0"], "argument --hidden: invalid positive int value: '0'"),
    (["train", "--optimizer", "rmsporp"], "argument --optimizer: invalid choice: 'rmsporp'"),
    (["train", "--activation", "rleu"], "argument --activation: invalid choice: 'rleu'"),
    (["train", "--dataset", "cifar10"], "argument --dataset: invalid choice: 'cifar10'"),
    (["train", "--lr", "0"], "argument --lr: invalid positive float value: '0'"),
    (["train", "--lr", "nan"], "argument --lr: invalid positive float value: 'nan'"),
    (["train", "--seed", "-1"], "argument --seed: invalid seed (an int >= 0) value: '-1'"),
    (["train", "--validation-split", "1"], "argument --validation-split: invalid fraction"),
    (["train", "--verbose", "3"], "argument --verbose: invalid choice: 3"),
    (["train", "--bogus"], "deepnum: error: unrecognized arguments: --bogus"),
    (["train", "--resume"], "deepnum train: error: --resume needs --checkpoint-dir DIR"),
    (["train", "--data-dir", "x"], "deepnum train: error: --data-dir: the digits ship inside"),
    (["evaluate"], "deepnum evaluate: error: the following arguments are required: MODEL"),
    (["evaluate", "m.dnm", "--batch-size", "x"], "argument --batch-size: invalid positive"),
    (["evaluate", "m.dnm", "--dataset", "emnist"], "argument --dataset: invalid choice"),
    (["predict", "m.dnm"], "the following arguments are required: INPUT"),
    (["predict", "m.dnm", "x.npy", "--top", "0"], "argument --top: invalid positive int"),
    (["info"], "deepnum info: error: the following arguments are required: MODEL"),
    (["info", "a", "b"], "deepnum: error: unrecognized arguments: b"),
    (["frobnicate"], "deepnum: error: argument COMMAND: invalid choice: 'frobnicate'"),
    (["--nope"], "deepnum: error: unrecognized arguments: --nope"),
])
def test_wrong_arguments_one_line_exit_2(capsys, argv, expected):
    code, out, err = _main(capsys, *argv)
    assert code == 2 and out == ""
    line = _one_line(err, "deepnum")
    assert "error: " in line and expected in line


def test_wrong_arguments_from_a_real_process():
    result = run("train", "--epochs", "x")
    assert one_error_line(result, 2, "deepnum train: error: ") == (
        "deepnum train: error: argument --epochs: invalid positive int value: 'x'")
    assert result.stdout == ""


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small.dnm"
    code = main(["train", "--epochs", "1", "--hidden", "8", "--seed", "0", "--verbose", "0",
                 "--save", str(path)])
    assert code == 0
    return path


def _files(tmp_path, model) -> dict:
    """Inputs that are mistakes, and the message each must give."""
    blob = model.read_bytes()
    (tmp_path / "truncated.dnm").write_bytes(blob[: len(blob) // 2])
    (tmp_path / "text.dnm").write_text("not a model\n")
    write_file(tmp_path / "other.dnm", {"w": np.ones(2, np.float32)}, {"what": "else"})
    np.save(tmp_path / "wrong.npy", np.zeros((5, 7)))
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp_path / "negative.npy", -np.ones((8, 8)))
    np.save(tmp_path / "nan.npy", np.full((8, 8), np.nan))
    np.save(tmp_path / "big.npy", np.full((8, 8), 300.0))
    np.save(tmp_path / "words.npy", np.array(["a", "b"]))
    np.save(tmp_path / "empty.npy", np.zeros((0, 64)))
    (tmp_path / "broken.npy").write_bytes(b"\x93NUMPY\x01\x00garbage")
    (tmp_path / "picture.gif").write_bytes(b"GIF89a....")
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (tmp_path / "comment.pgm").write_bytes(b"P5\n# a comment that never ends")
    (tmp_path / "words.pgm").write_bytes(b"P5\nab cd 255\n")
    return {
        ("evaluate", tmp_path / "missing.dnm"): "no deepnum file at",
        ("info", tmp_path / "truncated.dnm"): "truncated",
        ("evaluate", tmp_path / "text.dnm"): "not a deepnum file",
        ("info", tmp_path / "other.dnm"): "not a saved Keras model",
        ("info", tmp_path): "is a directory",
        ("predict", model, tmp_path / "missing.npy"): "missing.npy: No such file or directory",
        ("predict", model, tmp_path / "wrong.npy"): "an array of shape (5, 7) does not fit the "
                                                    "model; expected one of (8, 8), (N, 8, 8), "
                                                    "(64,), (N, 64)",
        ("predict", model, tmp_path / "objects.npy"): "Object arrays cannot be loaded",
        ("predict", model, tmp_path / "negative.npy"): "pixel values must lie in 0-255",
        ("predict", model, tmp_path / "big.npy"): "got values from 300 to 300",
        ("predict", model, tmp_path / "nan.npy"): "NaN or Inf",
        ("predict", model, tmp_path / "words.npy"): "expected an array of numbers",
        ("predict", model, tmp_path / "empty.npy"): "holds no image",
        ("predict", model, tmp_path / "broken.npy"): "cannot read the .npy array",
        ("predict", model, tmp_path / "picture.gif"): "not a PNG, PGM or PPM image",
        ("predict", model, tmp_path / "bad.png"): "bad.png: not a complete PNG file",
        ("predict", model, tmp_path / "comment.pgm"): "comment.pgm: corrupt PGM/PPM header",
        ("predict", model, tmp_path / "words.pgm"): "words.pgm: corrupt PGM/PPM header",
        ("evaluate", model, "--dataset", "fashion-mnist", "--data-dir", tmp_path):
            "Fashion-MNIST not found",
        ("train", "--save", tmp_path / "no" / "m.dnm"): "the directory",
        ("train", "--save", tmp_path): "is a directory; give a file name",
        ("train", "--dataset", "mnist", "--data-dir", tmp_path): "MNIST not found",
    }


def test_user_mistakes_one_line_exit_1(capsys, monkeypatch, tmp_path, model):
    # no real data set may be found, and nothing downloaded
    monkeypatch.setenv("DEEPNUM_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DEEPNUM_DATA", raising=False)
    monkeypatch.delenv("DEEPNUM_DEBUG", raising=False)
    import deepnum.datasets.fashion_mnist as fashion
    import deepnum.datasets.mnist as mnist
    monkeypatch.setattr(fashion, "SYSTEM_DIRS", [])
    monkeypatch.setattr(mnist, "SYSTEM_DIRS", [])
    for argv, expected in _files(tmp_path, model).items():
        code, out, err = _main(capsys, *argv)
        assert code == 1, (argv, out, err)
        line = _one_line(err, "deepnum: error: ")
        assert expected in line, (argv, line)
        assert "Traceback" not in err


def test_data_not_found_says_how_to_supply_it(capsys, monkeypatch, tmp_path, model):
    monkeypatch.setenv("DEEPNUM_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    import deepnum.datasets.fashion_mnist as fashion
    monkeypatch.setattr(fashion, "SYSTEM_DIRS", [])
    _, _, err = _main(capsys, "train", "--dataset", "fashion-mnist", "--data-dir", tmp_path)
    line = _one_line(err, "deepnum: error: Fashion-MNIST not found. Looked in: ")
    assert str(tmp_path) in line and "DEEPNUM_OFFLINE is set" in line
    assert "apt-get install dataset-fashion-mnist" in line and "--data-dir DIR" in line


def test_model_and_data_set_mismatch(capsys, tmp_path, model):
    code, _, err = _main(capsys, "evaluate", model, "--dataset", "fashion-mnist")
    if code == 1 and "not found" in err:
        pytest.skip("Fashion-MNIST is not installed")
    assert code == 1
    assert _one_line(err, "deepnum: error: ").endswith(
        "small.dnm takes 8x8 inputs but the fashion-mnist images are 28x28")


def test_permission_error_is_one_line(capsys, monkeypatch, model):
    import deepnum.cli.modelfile as modelfile

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(modelfile, "read_file", refuse)
    code, _, err = _main(capsys, "info", model)
    assert code == 1
    assert _one_line(err, "deepnum: error: ") == f"deepnum: error: {model}: Permission denied"


def test_debug_shows_the_traceback(tmp_path):
    missing = tmp_path / "missing.dnm"
    result = run("info", missing)
    assert one_error_line(result, 1, "deepnum: error: ") == (
        f"deepnum: error: no deepnum file at {str(missing)!r}")
    result = run("info", missing, env={"DEEPNUM_DEBUG": "1"})
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "deepnum.errors.NotFoundError: no deepnum file at" in result.stderr


def test_one_line_and_settings_helpers():
    text = "MNIST not found. Looked in:\n  - /a: does not exist\n  - /b: x missing\nDo this."
    assert one_line(text) == "MNIST not found. Looked in: /a: does not exist; /b: x missing; " \
                             "Do this."
    settings = resolve({"dataset": "fashion-mnist", "optimizer": "sgd"})
    assert settings["epochs"] == 5 and settings["lr"] == 0.01 and settings["seed"] >= 0
    assert resolve({})["epochs"] == 80 and resolve({"epochs": 3})["epochs"] == 3
    assert conflicts({"hidden": [512], "lr": 0.01}, settings) == []
    assert conflicts({"hidden": [256, 128]}, settings) == [
        "--hidden 256 128 (the run used 512)"]
