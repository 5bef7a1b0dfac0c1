"""Layout-free recognition of published performance-target tables: any grid of cells in, the model out."""

from xlgoals.jobs.importing.cells import Cell, ImportNote, cells_from_grid, cells_from_text
from xlgoals.jobs.importing.recognise import recognise

__all__ = ["Cell", "ImportNote", "cells_from_grid", "cells_from_text", "recognise"]
