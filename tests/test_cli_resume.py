"""``deepnum train --checkpoint-dir DIR``: a run killed with a real SIGKILL (or stopped with
Ctrl-C) and resumed with ``--resume`` ends with the same weights, bit for bit, as a run
never interrupted; and the mistakes around it are clear errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest
from cli_support import ENV, assert_bit_identical, deepnum_command, one_error_line, run

from deepnum.io import read_file

EPOCHS = "20"  # enough that the kill lands mid-run even on a busy machine
SETTINGS = ("--seed", "0", "--epochs", EPOCHS, "--hidden", "64", "--validation-split", "0.1")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run (its own checkpoint directory: backups must not change it)."""
    folder = tmp_path_factory.mktemp("reference")
    result = run("train", *SETTINGS, "--checkpoint-dir", "ck", "--save", "ref.dnm",
                 "--verbose", "0", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert not (folder / "ck" / "backup.dnm").exists()  # removed once the model is saved
    return folder / "ref.dnm"


def _start(folder, *args: str) -> subprocess.Popen:
    # SIGINT at its default, so the child turns it into KeyboardInterrupt even when the
    # tests run in the background (where a shell makes children ignore it)
    return subprocess.Popen(deepnum_command("train", *args), cwd=folder, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _stop_after_first_backup(process: subprocess.Popen, backup, sig: int) -> tuple[str, str]:
    deadline = time.monotonic() + 300
    while not backup.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no backup appeared"
        time.sleep(0.005)
    process.send_signal(sig)
    return process.communicate(timeout=300)


def _epochs_done(backup) -> int:
    _, meta = read_file(backup)
    return meta["checkpoint"]["epoch"]


def test_sigkill_then_resume_is_bit_identical(reference, tmp_path):
    backup = tmp_path / "ck" / "backup.dnm"
    process = _start(tmp_path, *SETTINGS, "--checkpoint-dir", "ck", "--save", "model.dnm")
    _stop_after_first_backup(process, backup, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    done = _epochs_done(backup)
    assert 1 <= done < int(EPOCHS)  # killed in the middle of the run
    assert not (tmp_path / "model.dnm").exists()
    record = json.loads((tmp_path / "ck" / "run.json").read_text())
    assert record["status"] == "running" and record["settings"]["seed"] == 0

    # the backup is not overwritten by a new run, and conflicting settings are named
    line = one_error_line(run("train", "--checkpoint-dir", "ck", cwd=tmp_path), 1,
                          "deepnum: error: ")
    assert "holds the backup of an interrupted run: pass --resume" in line
    assert "delete the directory" in line
    line = one_error_line(run("train", "--checkpoint-dir", "ck", "--resume", "--epochs", "9",
                              "--seed", "0", "--hidden", "32", cwd=tmp_path), 2,
                          "deepnum train: error: --resume: settings differ")
    assert f"--epochs 9 (the run used {EPOCHS})" in line and "--hidden 32 (the run used 64)" in line
    assert "--seed" not in line  # the same value is no conflict
    line = one_error_line(run("info", backup), 1, "deepnum: error: ")
    assert "is a training checkpoint (weights and training state), not a model" in line
    assert _epochs_done(backup) == done  # the refused commands changed nothing

    resumed = run("train", "--checkpoint-dir", "ck", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"; resuming after epoch {done}" in resumed.stdout
    assert f"Trained {int(EPOCHS) - done} epoch" in resumed.stdout
    assert f"Model saved to {tmp_path / 'model.dnm'}" in resumed.stdout
    assert_bit_identical(tmp_path / "model.dnm", reference)
    assert not backup.exists()

    line = one_error_line(run("train", "--checkpoint-dir", "ck", "--resume", cwd=tmp_path), 1,
                          "deepnum: error: --resume: nothing to resume")
    assert "finished" in line and str(tmp_path / "model.dnm") in line
    info = run("info", tmp_path / "model.dnm").stdout
    assert f"after resuming at epoch {done + 1}" in info
    rows = re.findall(r"^\s+(\d+)(?:\s+\d\.\d{4}){4}$", info, re.M)  # loss, accuracy, val_*
    assert rows == [str(k) for k in range(1, int(EPOCHS) + 1)]


def test_ctrl_c_then_resume_is_bit_identical(reference, tmp_path):
    backup = tmp_path / "ck" / "backup.dnm"
    process = _start(tmp_path, *SETTINGS, "--checkpoint-dir", "ck", "--save", "first.dnm")
    _, err = _stop_after_first_backup(process, backup, signal.SIGINT)
    assert process.returncode == 130
    assert err == ("deepnum: interrupted; resume with: deepnum train --checkpoint-dir ck "
                   "--resume\n")
    assert backup.exists()
    # --save (like --verbose and --data-dir) may change on resume: it does not touch the weights
    resumed = run("train", "--checkpoint-dir", "ck", "--resume", "--save", "other.dnm",
                  "--seed", "0", "--verbose", "0", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert not (tmp_path / "first.dnm").exists()
    assert_bit_identical(tmp_path / "other.dnm", reference)


def test_resume_before_the_first_backup_starts_again(reference, tmp_path):
    """Killed during the first epoch: the settings are recorded, there is no backup yet."""
    folder = tmp_path / "ck"
    folder.mkdir()
    record = {"command": "deepnum train", "settings": {
        "dataset": "digits", "epochs": int(EPOCHS), "batch_size": 128, "hidden": [64],
        "activation": "relu", "optimizer": "rmsprop", "lr": 0.001, "seed": 0,
        "validation_split": 0.1}, "save": str(tmp_path / "m.dnm"), "status": "running",
        "data_dir": None}
    (folder / "run.json").write_text(json.dumps(record))
    resumed = run("train", "--checkpoint-dir", folder, "--resume", "--verbose", "0")
    assert resumed.returncode == 0, resumed.stderr
    assert "no backup yet: starting again" in resumed.stdout
    assert_bit_identical(tmp_path / "m.dnm", reference)


def test_resume_mistakes(tmp_path):
    line = one_error_line(run("train", "--resume"), 2, "deepnum train: error: --resume needs "
                                                       "--checkpoint-dir DIR")
    assert "interrupted run" in line
    line = one_error_line(run("train", "--checkpoint-dir", tmp_path / "none", "--resume"), 1,
                          "deepnum: error: --resume: nothing to resume")
    assert "does not exist" in line
    line = one_error_line(run("train", "--checkpoint-dir", tmp_path, "--resume"), 1,
                          "deepnum: error: --resume: nothing to resume")
    assert "has no run.json" in line
    (tmp_path / "run.json").write_text("{not json")
    line = one_error_line(run("train", "--checkpoint-dir", tmp_path, "--resume"), 1,
                          "deepnum: error: ")
    assert "run.json: not a valid run record" in line
    (tmp_path / "file").write_text("")
    line = one_error_line(run("train", "--checkpoint-dir", tmp_path / "file"), 1,
                          "deepnum: error: ")
    assert "is not a directory" in line
    assert sorted(os.listdir(tmp_path)) == ["file", "run.json"]
