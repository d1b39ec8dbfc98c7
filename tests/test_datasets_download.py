"""Downloads, against a local HTTP server on 127.0.0.1 serving good files, corrupt files, HTML
error pages and 404s: mirror fall-through, pinned hashes, atomic cache writes, the errors."""

from __future__ import annotations

import http.server
import io
import shutil
import socket
import threading

import numpy as np
import pytest
from test_datasets import NAMES, assert_loaded, make_set, pins_for

from deepnum.datasets import fashion_mnist, mnist
from deepnum.datasets._download import Progress
from deepnum.errors import DownloadError, NotFoundError

HTML = b"<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>"


class Server:
    """Serves ``routes[path] = (status, content_type, body)``; records the paths asked for.
    Paths under ``/nolength/`` are sent without Content-Length (the body ends at close)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                status, kind, body = server.routes.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                if not self.path.startswith("/nolength/"):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def serve(self, folder: str, files: dict[str, bytes], kind: str = "application/gzip",
              status: int = 200) -> str:
        for name, body in files.items():
            self.routes[f"/{folder}/{name}"] = (status, kind, body)
        return f"{self.url}/{folder}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def _server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def server(_server):
    """The module's server with no routes and no recorded requests."""
    _server.routes.clear()
    _server.requests.clear()
    return _server


@pytest.fixture
def upstream(tmp_path, monkeypatch):
    """A small 'original' MNIST: its files' bytes, the arrays, and the pins set to them; the
    user cache in tmp, no other place holding data."""
    arrays = make_set(tmp_path / "upstream")
    monkeypatch.setattr(mnist, "FILES", pins_for(tmp_path / "upstream"))
    monkeypatch.setattr(mnist, "SYSTEM_DIRS", [])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DEEPNUM_DATA", raising=False)
    monkeypatch.delenv("DEEPNUM_OFFLINE", raising=False)
    blobs = {n: (tmp_path / "upstream" / n).read_bytes() for n in NAMES}
    return blobs, arrays, tmp_path / "xdg" / "deepnum" / "mnist"


def test_download_into_the_cache_then_load_from_it(server, upstream, monkeypatch, capsys):
    blobs, arrays, cache = upstream
    monkeypatch.setattr(mnist, "MIRRORS", [server.serve("good", blobs)])
    assert_loaded(mnist.load_data(), arrays)
    assert sorted(p.name for p in cache.iterdir()) == sorted(NAMES)  # no temporary left
    for name in NAMES:
        assert (cache / name).read_bytes() == blobs[name]
    # Not a terminal: one line per file, when it is done.
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4 and all("100%" in line and server.url in line for line in lines)
    asked = len(server.requests)
    assert_loaded(mnist.load_data(), arrays)
    assert len(server.requests) == asked == 4  # the second load came from the cache


def test_corrupt_file_on_the_first_mirror_moves_on_to_the_next(server, upstream, monkeypatch):
    blobs, arrays, cache = upstream
    corrupt = {n: b[:-1] + bytes([b[-1] ^ 1]) for n, b in blobs.items()}  # same size
    monkeypatch.setattr(mnist, "MIRRORS", [server.serve("bad", corrupt),
                                           server.serve("good", blobs)])
    assert_loaded(mnist.load_data(), arrays)
    assert [r.split("/")[1] for r in server.requests] == ["bad", "good"] * 4


@pytest.mark.parametrize("kind", ["text/html; charset=utf-8", "application/octet-stream"])
def test_html_page_moves_on_to_the_next_mirror(server, upstream, monkeypatch, kind):
    """Detected by Content-Type, or by the body when the server claims binary data."""
    blobs, arrays, _ = upstream
    pages = dict.fromkeys(blobs, HTML)
    monkeypatch.setattr(mnist, "MIRRORS", [server.serve("html", pages, kind=kind),
                                           server.serve("good", blobs)])
    assert_loaded(mnist.load_data(), arrays)


def test_only_missing_or_damaged_cache_files_are_fetched(server, upstream, monkeypatch):
    blobs, arrays, cache = upstream
    cache.mkdir(parents=True)
    (cache / NAMES[0]).write_bytes(blobs[NAMES[0]])
    (cache / NAMES[1]).write_bytes(b"damaged")
    monkeypatch.setattr(mnist, "MIRRORS", [server.serve("good", blobs)])
    assert_loaded(mnist.load_data(), arrays)
    assert server.requests == [f"/good/{n}" for n in NAMES[1:]]


def test_every_mirror_failing_lists_every_url_and_why(server, upstream, monkeypatch):
    blobs, _, cache = upstream
    corrupt = {n: b[:-1] + bytes([b[-1] ^ 1]) for n, b in blobs.items()}
    short = {n: b[:-5] for n, b in blobs.items()}
    mirrors = [server.serve("missing", {}), server.serve("html", dict.fromkeys(blobs, HTML),
                                                          kind="text/html"),
               server.serve("bad", corrupt), server.serve("short", short),
               server.serve("error", blobs, status=503)]
    monkeypatch.setattr(mnist, "MIRRORS", mirrors)
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    text = str(info.value)
    first = NAMES[0]
    for mirror, why in zip(mirrors, ["HTTP 404", "served an HTML page", "SHA-256 mismatch",
                                     "announces", "HTTP 503"], strict=True):
        assert f"{mirror}{first}: {why}" in text
    assert "Looked in:" in text and "path=DIR" in text
    assert list(cache.iterdir()) == []  # nothing half-written was left in the cache


def test_overlong_body_is_refused_and_not_kept(server, upstream, monkeypatch):
    """A body longer than pinned is cut off while streaming (no Content-Length to trust)."""
    blobs, _, cache = upstream
    long = {n: b + bytes(100_000) for n, b in blobs.items()}
    monkeypatch.setattr(mnist, "MIRRORS", [server.serve("nolength", long)])
    with pytest.raises(DownloadError, match="sent more than the expected"):
        mnist.load_data()
    assert list(cache.iterdir()) == []


def test_unreachable_mirrors_mean_offline_not_found(upstream, monkeypatch):
    with socket.socket() as s:  # a port that was free a moment ago: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mnist/"
    monkeypatch.setattr(mnist, "MIRRORS", [url])
    with pytest.raises(NotFoundError) as info:
        mnist.load_data()
    text = str(info.value)
    assert "no mirror could be reached" in text and f"{url}{NAMES[0]}: unreachable" in text
    assert "$DEEPNUM_DATA: not set" in text


def test_broken_servers_and_bad_urls_are_mirror_failures(server, upstream, monkeypatch):
    """A server that does not speak HTTP, or a mirror that is not a URL, fails that mirror
    only; the next one is used."""
    blobs, arrays, cache = upstream
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_garbage() -> None:
        for _ in NAMES:
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"SPEAKS-NO-HTTP\r\n\r\n")

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    garbage = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    monkeypatch.setattr(mnist, "MIRRORS", ["no-scheme/", garbage, server.serve("good", blobs)])
    with listener:
        assert_loaded(mnist.load_data(), arrays)
        thread.join()
    shutil.rmtree(cache)
    monkeypatch.setattr(mnist, "MIRRORS", ["no-scheme/"])
    with pytest.raises(DownloadError, match=f"no-scheme/{NAMES[0]}: invalid URL"):
        mnist.load_data()


def test_real_pins_are_what_mirrors_must_match(server, tmp_path, monkeypatch):
    """With the real pins, a mirror serving anything else (here: a valid IDX file that is not
    the original) is refused: no silent substitution of data."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DEEPNUM_DATA", raising=False)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", [])
    make_set(tmp_path / "fake")
    fake = {n: (tmp_path / "fake" / n).read_bytes() for n in NAMES}
    monkeypatch.setattr(fashion_mnist, "MIRRORS", [server.serve("fake", fake)])
    with pytest.raises(DownloadError, match="announces .* expected 26421880"):
        fashion_mnist.load_data()


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_rewrites_one_line_on_a_terminal_and_is_quiet_elsewhere(monkeypatch):
    clock = iter(np.arange(0.0, 100.0, 0.2))
    monkeypatch.setattr("deepnum.datasets._download.time.monotonic", lambda: next(clock))
    tty, log = Tty(), io.StringIO()
    for stream in (tty, log):
        p = Progress("mnist/x.gz", 4_000_000, stream)
        for _ in range(4):
            p.update(1_000_000)
        if stream is log:
            assert log.getvalue() == ""  # nothing until finished
        p.finish("http://mirror/x.gz")
    assert tty.getvalue().count("\n") == 1 and tty.getvalue().count("\r") == 5
    assert " 25%" in tty.getvalue() and tty.getvalue().endswith("100% from http://mirror/x.gz\n")
    assert log.getvalue() == "downloading mnist/x.gz: 4.0/4.0 MB 100% from http://mirror/x.gz\n"
