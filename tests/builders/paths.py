"""Where the repository's own inputs are, for tests at any depth under tests/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TXT = ROOT / "samples" / "002_de489847e14864e5.txt"
REAL = ROOT / "samples" / "real"
