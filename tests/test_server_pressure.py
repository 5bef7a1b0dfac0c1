"""The server under pressure: long names, a bounded queue (429), a full disk (507), clients that give up."""

from __future__ import annotations

import base64
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.faults import env_with_tmp, fill, serve, small_disk
from tests.hostile_corpus import valid_units
from xlgoals.core.model import Unit
from xlgoals.shells.server import create_app
from xlgoals.shells.uploads import Limits
from xlgoals.workbooks.template import write_unit


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory, sample_unit: Unit) -> bytes:
    path = tmp_path_factory.mktemp("wb") / "unit.xlsx"
    write_unit(sample_unit, path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Limits(jobs=1)))


@pytest.mark.parametrize("chars", [80, 83, 84, 90, 200])
def test_long_chinese_names_are_cut_by_bytes(client: TestClient, workbook: bytes, chars: int) -> None:
    """≥ 84 Chinese characters (252 bytes and more) got an HTTP 500 in English, 80–83 a refusal of a valid
    workbook (its _校验 copy's name was too long): the name is now cut by bytes, its extension kept."""
    name = "绩" * chars + ".xlsx"
    answer = client.post("/api/check", files=[("files", (name, workbook))])
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["file"].endswith(".xlsx") and data["file"].startswith("绩" * 70)
    for download in data["downloads"]:
        assert len(download["name"].encode()) <= 255 and download["name"].endswith(("_校验.xlsx", "_汇总.xlsx"))
        assert base64.b64decode(download["data"])[:2] == b"PK"
    twice = client.post("/api/summary", files=[("files", (name, workbook)), ("files", (name, workbook))])
    assert twice.status_code == 200, twice.text
    assert all(len(p["file"].encode()) <= 255 for p in twice.json()["result"]["problems"])


def _broken(folder: Path, names: list[str], many: bool, rules: str) -> dict[str, Any]:
    raise RuntimeError("a bug in the job")


def test_a_bug_is_a_503_in_chinese_never_a_500(workbook: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """No 500 reaches a client: a fault of the server's own is 503 in Chinese (its traceback stays in the log)."""
    import xlgoals.shells.uploads as uploads

    monkeypatch.setattr(uploads, "_run_job", _broken)
    with TestClient(create_app(Limits(jobs=1)), raise_server_exceptions=False) as client:
        answer = client.post("/api/check", files=[("files", ("a.xlsx", workbook))])
    assert answer.status_code == 503 and "意外错误" in answer.json()["detail"]


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory, workbook: bytes) -> list[tuple[str, bytes]]:
    """Enough workbooks that their summary keeps a worker busy for a few seconds."""
    return valid_units(workbook, 120)


def _post(port: int, path: str, files: list[tuple[str, bytes]], out: list[httpx.Response]) -> None:
    out.append(httpx.post(f"http://127.0.0.1:{port}{path}", files=[("files", f) for f in files], timeout=120))


def _wait_for(cond: Any, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_beyond_the_queue_a_429_with_retry_after(tmp_path: Path, department: list[tuple[str, bytes]]) -> None:
    """An unbounded wait (p95 ~35 s under 60 uploads) becomes a bounded queue: one upload worked on, one
    waiting its turn (and answered), the next refused at once with 429, 请稍后重试 and Retry-After."""
    tmp = tmp_path / "tmp"
    proc, port = serve(tmp_path, env_with_tmp(tmp), "--workers", "1", "--queue", "1")
    try:
        first: list[httpx.Response] = []
        second: list[httpx.Response] = []
        working = threading.Thread(target=_post, args=(port, "/api/summary", department, first))
        working.start()
        _wait_for(lambda: len(list(tmp.glob("xlgoals-web-*"))) == 1)
        waiting = threading.Thread(target=_post, args=(port, "/api/check", department[:1], second))
        waiting.start()
        _wait_for(lambda: len(list(tmp.glob("xlgoals-web-*"))) == 2)
        started = time.monotonic()
        refused = httpx.post(f"http://127.0.0.1:{port}/api/check", files=[("files", department[0])], timeout=30)
        assert time.monotonic() - started < 2, "the refusal waited for the queue"
        assert refused.status_code == 429 and "请稍后重试" in refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) >= 1
        working.join(120)
        waiting.join(120)
        assert first[0].status_code == 200 and second[0].status_code == 200, (first[0].text, second[0].text)
        assert httpx.post(f"http://127.0.0.1:{port}/api/check", files=[("files", department[0])]).status_code == 200
    finally:
        proc.kill()
        proc.communicate()


def test_a_full_temp_folder_is_the_servers_fault(tmp_path: Path, workbook: bytes) -> None:
    """A full disk on the server was answered 422, as if the client erred (or 500 in English): it is 507,
    服务器磁盘已满，请联系管理员, and one line in the log, no traceback."""
    with small_disk(tmp_path / "tmp", "1m") as tmp:
        proc, port = serve(tmp_path, env_with_tmp(tmp), "--workers", "1")
        try:
            fill(tmp)
            for path in ("/api/check", "/api/summary"):
                answer = httpx.post(f"http://127.0.0.1:{port}{path}", files=[("files", ("a.xlsx", workbook))])
                assert answer.status_code == 507, answer.text
                assert answer.json()["detail"] == "服务器磁盘已满，请联系管理员。"
        finally:
            proc.kill()
            _, err = proc.communicate()
    log = err.decode()
    assert "Traceback" not in log and log.count("磁盘空间不足") == 2


def _raw_upload(port: int, body: bytes, declared: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    head = (
        "POST /api/summary HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: multipart/form-data; boundary=xx\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def _multipart(files: list[tuple[str, bytes]]) -> bytes:
    parts = [
        b'--xx\r\nContent-Disposition: form-data; name="files"; filename="' + n.encode() + b'"\r\n\r\n' + d + b"\r\n"
        for n, d in files
    ]
    return b"".join(parts) + b"--xx--\r\n"


def test_clients_that_give_up_are_one_line_in_the_log(tmp_path: Path, department: list[tuple[str, bytes]]) -> None:
    """A client that disconnects mid-upload, or before its answer, left a traceback in the log: now one line
    each, and the work for a client that left is dropped (its worker freed for the next upload)."""
    tmp = tmp_path / "tmp"
    proc, port = serve(tmp_path, env_with_tmp(tmp), "--workers", "1")
    try:
        body = _multipart(department)
        half = _raw_upload(port, body[: len(body) // 2], len(body))
        time.sleep(0.3)
        half.close()
        whole = _raw_upload(port, body, len(body))
        _wait_for(lambda: list(tmp.glob("xlgoals-web-*")))
        time.sleep(0.3)
        whole.close()  # before the answer: the summary of 120 workbooks is still being made
        _wait_for(lambda: not list(tmp.glob("xlgoals-web-*")), within=10)  # dropped, its folder removed
        started = time.monotonic()
        answer = httpx.post(f"http://127.0.0.1:{port}/api/check", files=[("files", department[0])], timeout=60)
        assert answer.status_code == 200 and time.monotonic() - started < 10
    finally:
        proc.kill()
        _, err = proc.communicate()
    log = err.decode()
    assert "Traceback" not in log, log
    assert log.count("上传中途断开连接") == 1 and log.count("得到答复之前断开连接") == 1, log
