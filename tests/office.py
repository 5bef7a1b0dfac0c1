"""Run LibreOffice headless for tests that prove a file opens, recalculates and prints."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path


def convert(soffice: str, src: Path, fmt: str, outdir: Path) -> Path:
    """Headless LibreOffice conversion with a private profile, so parallel runs never share one."""
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
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice produced no {fmt} for {src.name}"
    return out
