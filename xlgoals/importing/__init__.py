"""Layout-free recognition of published performance-target tables: any grid of cells in, the model out."""

from xlgoals.importing.cells import Cell, ImportNote, cells_from_grid, cells_from_text
from xlgoals.importing.recognise import recognise

__all__ = ["Cell", "ImportNote", "cells_from_grid", "cells_from_text", "recognise"]
