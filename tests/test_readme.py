"""The README's Python examples run as written.

Its blocks are executed in order in one namespace, in a temporary directory, with
``$DEEPNUM_DATA`` pointing at a small MNIST in the original IDX format written here (files a
user points to are checked for structure, not hashed, so the tutorial's
``mnist.load_data()`` reads them without a download).
"""

import re
from pathlib import Path

import numpy as np
import pytest

from deepnum.datasets import write_idx

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


@pytest.fixture
def small_mnist(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for prefix, n in (("train", 600), ("t10k", 100)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        # learnable images: a bright bar whose position is the label, plus noise
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            images[i, 2 + 2 * label: 4 + 2 * label, 4:24] = 255
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    monkeypatch.setenv("DEEPNUM_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("DEEPNUM_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)


def test_readme_opens_with_the_two_commands():
    first_two = _blocks("sh")[:2]
    assert first_two == ["pip install . && deepnum train\n",
                         "pip install -e '.[test]' && python -m pytest -q\n"]


def test_readme_python_blocks_run(small_mnist, capsys):
    blocks = _blocks("python")
    assert len(blocks) >= 4
    namespace: dict = {}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)
        except Exception as error:  # name the block that failed
            raise AssertionError(f"README python block {i + 1} failed: {error!r}") from error
    assert Path("mnist_mlp.dnm").exists()
    out = capsys.readouterr().out
    assert "test accuracy" in out and "recalled: True" in out
