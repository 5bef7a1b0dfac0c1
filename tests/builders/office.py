"""Run LibreOffice headless for tests that prove a file opens, recalculates and prints."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

# LibreOffice's setting "Recalculation on File Load" for Excel files (and ODF): 0 = always. By default it keeps
# the values a file caches, which would prove nothing about the formulas themselves.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def convert(soffice: str, src: Path, fmt: str, outdir: Path, *, recalc: bool = False) -> Path:
    """Headless LibreOffice conversion with a private profile, so parallel runs never share one."""
    return convert_all(soffice, [src], fmt, outdir, recalc=recalc)[0]


def convert_all(soffice: str, sources: list[Path], fmt: str, outdir: Path, *, recalc: bool = False) -> list[Path]:
    """Several files in one LibreOffice start (a start costs seconds); the outputs in the sources' order.
    `recalc`: every formula is computed again on loading, whatever value the file caches."""
    profile = Path("/tmp") / f"xlgoals-lo-{uuid.uuid4().hex}"
    if recalc:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    try:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    outs = [outdir / (src.stem + "." + fmt.split(":")[0]) for src in sources]
    missing = [p.name for p in outs if not p.exists()]
    assert not missing, f"LibreOffice produced no {fmt} for {missing}"
    return outs


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
