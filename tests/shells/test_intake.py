"""shells/intake.py: uploads saved under names a file system takes (cut by bytes, never over each other), bodies
past their limit refused with 413 before the app holds them, the server's own full disk a 507 in Chinese."""

from __future__ import annotations

import errno
import io
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.datastructures import UploadFile

from xlgoals.shells.intake import NAME_BYTES, TAG_BYTES, BodyLimit, save_uploads, server_fault
from xlgoals.shells.uploads import DISK_FULL, MB, Limits


def _upload(name: str, data: bytes = b"x") -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name)


def test_names_a_file_system_takes(tmp_path: Path) -> None:
    long = "很长的单位名称" * 40 + ".xlsx"
    names = save_uploads(
        [
            _upload("../../etc/单位.xlsx", b"1"),
            _upload("单位.XLSX", b"2"),
            _upload('a:b*c?"d<e>f|.xlsx', b"3"),
            _upload(long, b"4"),
            _upload("", b"5"),
        ],
        tmp_path,
    )
    assert names[:3] == ["单位.xlsx", "单位 (2).XLSX", "abcdef.xlsx"]
    assert len(names[3].encode()) <= NAME_BYTES - TAG_BYTES and names[3].endswith(".xlsx")
    assert names[4] == "工作簿.xlsx"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    assert [(tmp_path / n).read_bytes() for n in names] == [b"1", b"2", b"3", b"4", b"5"]


def test_a_body_past_its_limit_is_refused_before_the_app_reads_it() -> None:
    app = FastAPI()

    @app.post("/api/check")
    async def check(body: bytes = b"") -> dict[str, int]:
        return {"received": 1}

    app.add_middleware(BodyLimit, limits=Limits(upload_bytes=MB))
    client = TestClient(app)
    refused = client.post("/api/check", content=b"x" * (MB + 1))
    assert refused.status_code == 413 and refused.json()["detail"] == "上传的内容超过 1 MB 的上限，请分批上传。"


def test_the_servers_full_disk_is_507_and_other_faults_503() -> None:
    full = server_fault(OSError(errno.ENOSPC, "No space left on device"), "接收上传")
    assert (full.status_code, full.detail) == (507, DISK_FULL)
    read_only = server_fault(OSError(errno.EROFS, "Read-only file system"), "接收上传")
    assert read_only.status_code == 503 and str(read_only.detail).startswith("服务器暂时无法处理上传")
