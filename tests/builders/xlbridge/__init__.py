"""A test bridge for xlwings' remote engine: a workbook file becomes the payload Excel's client sends, and the
actions xlwings returns are applied back onto it as the Office.js client would (its own tests: test_xlbridge.py).
"""

import os

# xlwings registers its remote engine while it is first imported, and only if a license key is set by then:
# this runs before any part of the bridge imports xlwings.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from tests.builders.xlbridge.actions import SUPPORTED_ACTIONS, UNSUPPORTED_ACTIONS, apply_actions, run_remote
from tests.builders.xlbridge.common import NOTE_AUTHOR, UI_ACTIONS, Client
from tests.builders.xlbridge.payload import payload_from_workbook

__all__ = [
    "NOTE_AUTHOR",
    "SUPPORTED_ACTIONS",
    "UI_ACTIONS",
    "UNSUPPORTED_ACTIONS",
    "Client",
    "apply_actions",
    "payload_from_workbook",
    "run_remote",
]
