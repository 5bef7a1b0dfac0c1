"""Unit workbooks to upload to the web page, the upload itself, and the workbooks its answer carries."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from httpx import Response

from xlgoals.core.model import Unit
from xlgoals.workbooks.template import write_unit


def unit_workbooks(sample_unit: Unit, folder: Path, count: int) -> list[Path]:
    """`count` different unit workbooks from the sample: own names, 1-3 projects, own budgets."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        projects = [
            p.model_copy(update={"budget_year": Decimal(10_000 * (i + 1) + n)})
            for n, p in enumerate(sample_unit.projects[: i % 3 + 1])
        ]
        unit = sample_unit.model_copy(update={"name": f"测试单位{i + 1}", "projects": projects})
        path = folder / f"单位{i + 1}.xlsx"
        write_unit(unit, path)
        paths.append(path)
    return paths


def post_files(client: TestClient, url: str, *paths: Path) -> Response:
    return client.post(url, files=[("files", (p.name, p.read_bytes())) for p in paths])


def downloaded_workbook(download: dict[str, str]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["data"])))
