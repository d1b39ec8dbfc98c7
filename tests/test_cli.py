"""``deepnum train / evaluate / predict / info`` as real processes on the shipped digits."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_support import ENV, run, scores

from deepnum import __version__, keras
from deepnum.datasets import digits
from deepnum.utils.image import write_png

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = digits.load_data()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """``deepnum train --seed 0`` with every other setting at its default."""
    folder = tmp_path_factory.mktemp("train")
    result = run("train", "--seed", "0", "--save", "model.dnm", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "model.dnm", result


def test_train_defaults_on_digits(trained):
    path, result = trained
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("digits: 1437 training, 0 validation and 360 test images of 8x8, "
                          "10 classes\n")
    # the default epochs for digits, one progress line per epoch (stdout is not a terminal)
    assert re.search(r"^MLP 64-512-10: dataset digits, epochs 80, batch size 128, hidden 512, "
                     r"activation relu, optimizer rmsprop, lr 0\.001, seed 0", out, re.M)
    assert len(re.findall(r"^Epoch \d+/80 - 12/12 - ", out, re.M)) == 80
    assert re.search(r"^Trained 80 epochs in \d+\.\d s$", out, re.M)
    train_loss, train_accuracy = scores(out, "train")
    test_loss, test_accuracy = scores(out, "test")
    assert test_accuracy >= 0.95
    assert train_accuracy >= test_accuracy and train_loss < test_loss  # the overfitting gap
    assert "(1437 images)" in out and "(360 images)" in out
    assert out.rstrip().endswith(f"Model saved to {path}")
    assert path.is_file()


def test_saved_model_predicts_like_the_summary_says(trained):
    path, result = trained
    model = keras.models.load_model(path)
    x = X_TEST.reshape(len(X_TEST), -1).astype(np.float32) / 255
    accuracy = np.mean(model.predict(x, verbose=0).argmax(axis=1) == Y_TEST)
    assert f"accuracy {accuracy:.4f}  (360 images)" in result.stdout


def test_evaluate_reports_the_same_test_scores(trained):
    path, result = trained
    loss, accuracy = scores(result.stdout, "test")
    evaluated = run("evaluate", path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout.splitlines() == [
        f"{path} on the digits test set (360 images):",
        f"  test       loss {loss:.4f}  accuracy {accuracy:.4f}"]


def test_info_shows_architecture_settings_and_history(trained):
    path, _ = trained
    result = run("info", path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "on digits: 8x8 images, inputs flattened, pixels scaled by 1/255" in out
    assert "Classes (10): 0, 1, 2, 3, 4, 5, 6, 7, 8, 9" in out
    assert "Settings: dataset digits, epochs 80, batch size 128, hidden 512" in out
    hidden, output = 64 * 512 + 512, 512 * 10 + 10
    assert re.search(rf"hidden_1 \(Dense\)\s+\(None, 512\)\s+{hidden:,}", out)
    assert re.search(rf"output \(Dense\)\s+\(None, 10\)\s+{output:,}", out)
    assert f"Total params: {hidden + output:,}" in out
    history = keras.models.load_model(path).history.history
    rows = re.findall(r"^\s+(\d+)\s+(\d\.\d{4})\s+(\d\.\d{4})$", out, re.M)
    assert [int(r[0]) for r in rows] == list(range(1, 81))
    assert [float(r[1]) for r in rows] == [round(v, 4) for v in history["loss"]]
    assert [float(r[2]) for r in rows] == [round(v, 4) for v in history["accuracy"]]


def _first_right(path) -> int:
    """A test image the model classifies correctly (the command must agree with it)."""
    model = keras.models.load_model(path)
    x = X_TEST.reshape(len(X_TEST), -1).astype(np.float32) / 255
    right = np.flatnonzero(model.predict(x, verbose=0).argmax(axis=1) == Y_TEST)
    return int(right[0])


def _ranked(stdout: str) -> list[tuple[str, float]]:
    return [(m[0], float(m[1])) for m in re.findall(r"^  \d+\. (.+?)\s+(\d\.\d{4})$",
                                                    stdout, re.M)]


def test_predict_npy_and_png(trained, tmp_path):
    path, _ = trained
    i = _first_right(path)
    label = str(Y_TEST[i])
    np.save(tmp_path / "one.npy", X_TEST[i])  # uint8 (8, 8), 0-255
    result = run("predict", path, tmp_path / "one.npy")
    assert result.returncode == 0, result.stderr
    assert "1 image of uint8, values 0-255 scaled by 1/255" in result.stdout
    ranked = _ranked(result.stdout)
    assert len(ranked) == 3 and ranked[0][0] == label

    # dark ink on white paper, 64x64: detected, inverted and shrunk back to 8x8
    paper = np.kron(255 - X_TEST[i].astype(np.int64), np.ones((8, 8), np.int64))
    write_png(tmp_path / "digit.png", paper.astype(np.uint8))
    result = run("predict", path, tmp_path / "digit.png")
    assert result.returncode == 0, result.stderr
    assert "64x64 image, light background, resized to 8x8, inverted" in result.stdout
    from_png = _ranked(result.stdout)
    assert from_png[0][0] == label
    assert [p for _, p in from_png] == pytest.approx([p for _, p in ranked], abs=2e-4)

    forced = run("predict", path, tmp_path / "digit.png", "--no-invert")
    assert "resized to 8x8" in forced.stdout and "inverted" not in forced.stdout


def test_predict_dark_pgm_is_not_inverted(trained, tmp_path):
    path, _ = trained
    i = _first_right(path)
    header = b"P5\n# a digit, light on dark\n16 16\n255\n"
    (tmp_path / "d.pgm").write_bytes(header + np.kron(X_TEST[i], np.ones((2, 2), np.uint8))
                                     .tobytes())
    result = run("predict", path, tmp_path / "d.pgm", "--top", "1")
    assert result.returncode == 0, result.stderr
    assert "16x16 image, dark background, resized to 8x8" in result.stdout
    assert "inverted" not in result.stdout
    assert [name for name, _ in _ranked(result.stdout)] == [str(Y_TEST[i])]


def test_predict_batches_agree_with_the_model(trained, tmp_path):
    path, _ = trained
    x = X_TEST[:20].reshape(20, 64).astype(np.float32) / 255  # flat, already in [0, 1]
    np.save(tmp_path / "flat.npy", x)
    np.save(tmp_path / "batch.npy", X_TEST[:20].astype(np.int16))
    expected = keras.models.load_model(path).predict(x, verbose=0)
    for name, how in (("flat.npy", "20 images of float32, values in [0, 1]"),
                      ("batch.npy", "20 images of int16, values 0-255 scaled by 1/255")):
        result = run("predict", path, tmp_path / name, "--top", "50")
        assert result.returncode == 0, result.stderr
        assert how in result.stdout
        assert result.stdout.count("image ") == 20
        ranked = _ranked(result.stdout)
        assert len(ranked) == 20 * 10  # --top is capped at the number of classes
        tops = [int(ranked[10 * k][0]) for k in range(20)]
        assert tops == expected.argmax(axis=1).tolist()
        first = [p for _, p in ranked[:10]]
        assert sum(first) == pytest.approx(1, abs=1e-3)
        assert first == sorted(first, reverse=True)


def test_no_seed_default_path_and_validation_split(tmp_path):
    result = run("train", "--epochs", "2", "--hidden", "32", "16", "--validation-split",
                 "0.2", "--verbose", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Epoch" not in out  # --verbose 0
    assert "digits: 1149 training, 288 validation and 360 test images" in out
    assert scores(out, "validation") and "(288 images)" in out
    seed = int(re.search(r"\(seed (\d+) was drawn at random; --seed \1 repeats", out).group(1))
    assert (tmp_path / "deepnum-digits.dnm").is_file()
    info = run("info", tmp_path / "deepnum-digits.dnm").stdout
    assert f"seed {seed}, validation split 0.2" in info
    assert "hidden 32 16" in info
    assert re.search(r"epoch\s+loss\s+accuracy\s+val_loss\s+val_accuracy", info)


def test_model_saved_from_python(tmp_path):
    """A model without the command's records: --dataset needed, image shape inferred."""
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(10, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(X_TRAIN.reshape(-1, 64) / 255, Y_TRAIN, epochs=3, verbose=0)
    model.save(tmp_path / "plain.dnm")
    assert "Not saved by deepnum train" in run("info", tmp_path / "plain.dnm").stdout
    result = run("evaluate", tmp_path / "plain.dnm", "--dataset", "digits")
    assert result.returncode == 0, result.stderr
    _, accuracy = model.evaluate(X_TEST.reshape(-1, 64) / 255, Y_TEST, verbose=0)
    assert f"accuracy {accuracy:.4f}" in result.stdout
    np.save(tmp_path / "x.npy", X_TEST[:2])
    predicted = run("predict", tmp_path / "plain.dnm", tmp_path / "x.npy")
    assert predicted.returncode == 0 and predicted.stdout.count("  1. ") == 2


def test_help_version_and_entry_points():
    for argv in ([], ["--help"], ["train", "--help"], ["evaluate", "--help"],
                 ["predict", "--help"], ["info", "--help"]):
        result = run(*argv)
        assert result.returncode == 0 and result.stderr == "", argv
        assert result.stdout.startswith(f"usage: deepnum {argv[0] if argv[1:] else ''}"
                                        .rstrip() + " "), result.stdout[:80]
        assert "DEEPNUM_DEBUG=1" in result.stdout
    wide = {"COLUMNS": "400"}  # help lines unwrapped
    train_help = run("train", "--help", env=wide).stdout
    assert "(default: digits 80, mnist 5, fashion-mnist 5)" in train_help
    assert "(default: deepnum-<dataset>.dnm in the current directory" in train_help
    assert "(median of its border pixels above 0.5" in run("predict", "--help").stdout
    assert run("--version").stdout == f"deepnum {__version__}\n"
    script = shutil.which("deepnum", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the deepnum console script is not installed next to this Python")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, env=ENV)
    assert result.returncode == 0 and result.stdout == f"deepnum {__version__}\n"


def test_one_blas_thread_unless_the_user_chose(monkeypatch):
    import deepnum as dn
    from deepnum.cli import limit_threads

    before = dn.get_num_threads()
    if before is None:
        pytest.skip("NumPy does not run on OpenBLAS here")
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    try:
        dn.set_num_threads(2)
        monkeypatch.setenv("OMP_NUM_THREADS", "3")
        limit_threads()
        assert dn.get_num_threads() == 2  # the user chose: left alone
        monkeypatch.delenv("OMP_NUM_THREADS")
        limit_threads()
        assert dn.get_num_threads() == 1
    finally:
        dn.set_num_threads(before)
