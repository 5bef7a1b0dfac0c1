"""README pictures: the demo's workbooks, and a generated 20-unit department's summary, printed by LibreOffice to
PDF, the right pages as PNG (`make docs`)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
DOCS = ROOT / "docs"
DPI = 80

# Picture -> (workbook in out/, texts all on its page, share of the page's height to keep from the top).
# A wide table prints small on its page: its picture is rendered finer.
FINER = {"department_units": 110, "department_overview": 110, "department_findings": 110}
DEPARTMENT = "department_20.xlsx"  # made here: 20 units of benchmarks/make_department.py, grouped by 主管部门
PICTURES: dict[str, tuple[str, tuple[str, ...], float]] = {
    "project_sheet": ("unit.xlsx", ("计划开始日期",), 1.0),
    # The page with 项目1's marked indicators (their cells are orange, each with a note).
    "checked_project_sheet": ("unit_checked.xlsx", ("三级目标", "建立长效会议组织机制"), 0.45),
    "results_sheet": ("unit_checked.xlsx", ("规则代码",), 0.6),
    "summary_sheet": ("unit_summary.xlsx", ("项目支出汇总",), 0.75),
    "department_overview": (DEPARTMENT, ("部门项目支出绩效目标汇总 · 概况",), 0.72),
    "department_units": (DEPARTMENT, ("部门项目支出绩效目标汇总 · 各单位汇总",), 1.0),
    "department_findings": (DEPARTMENT, ("部门项目支出绩效目标汇总 · 校验问题",), 0.55),
    # 项目1's 自评 sheet as `xlgoals selfeval` writes it, before the unit fills it in.
    "selfeval_sheet": ("unit_selfeval.xlsx", ("项目支出绩效自评表", "参会观众数"), 1.0),
}


def department(folder: Path) -> Path:
    """A 20-unit department consolidated as a supervising department would (grouped by 主管部门)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_department import make_department

    from xlgoals.department.consolidate import consolidate

    make_department(folder / "inbox", units=20, seed=1, jobs=1)
    out = folder / DEPARTMENT
    with contextlib.chdir(folder):  # the title block names the folder as given: "inbox", not a temporary path
        consolidate([Path("inbox")], out, group_by="department", jobs=2)
    return out


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_of(pdf: Path, texts: tuple[str, ...]) -> int:
    pages = int(next(line.split()[-1] for line in run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:")))
    for page in range(1, pages + 1):
        shown = run("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-")
        if all(t in shown for t in texts):
            return page
    raise SystemExit(f"{texts} are on no one page of {pdf.name}")


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        raise SystemExit(
            "make docs needs LibreOffice and poppler-utils: apt-get install libreoffice-calc poppler-utils"
        )
    with tempfile.TemporaryDirectory() as tmp:
        made = department(Path(tmp))
        books = sorted({made if book == DEPARTMENT else OUT / book for book, _, _ in PICTURES.values()})
        run(soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
            "--outdir", tmp, *map(str, books))  # fmt: skip
        for name, (book, marker, share) in PICTURES.items():
            pdf = Path(tmp) / (Path(book).stem + ".pdf")
            page = page_of(pdf, marker)
            width, height = (float(v) for v in _size(pdf, page))
            dpi = FINER.get(name, DPI)
            keep = int(height / 72 * dpi * share)
            target = DOCS / name
            box = ("-x", "0", "-y", "0", "-W", str(int(width / 72 * dpi)), "-H", str(keep))
            run("pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", *box,
                str(pdf), str(target))  # fmt: skip
            print(f"{target.relative_to(ROOT)}.png ← {book} 第 {page} 页")


def _size(pdf: Path, page: int) -> tuple[str, str]:
    info = run("pdfinfo", "-f", str(page), "-l", str(page), str(pdf))
    line = next(line for line in info.splitlines() if line.startswith(f"Page{page:>5} size:"))
    parts = line.split("size:")[1].split()
    return parts[0], parts[2]


if __name__ == "__main__":
    sys.exit(main())
