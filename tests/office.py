"""Run LibreOffice headless for tests that prove a file opens, recalculates and prints."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path


def convert(soffice: str, src: Path, fmt: str, outdir: Path) -> Path:
    """Headless LibreOffice conversion with a private profile, so parallel runs never share one."""
    return convert_all(soffice, [src], fmt, outdir)[0]


def convert_all(soffice: str, sources: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Several files in one LibreOffice start (a start costs seconds); the outputs in the sources' order."""
    profile = Path("/tmp") / f"xlgoals-lo-{uuid.uuid4().hex}"
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
