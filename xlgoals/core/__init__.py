"""The core: the model of a unit's table, cell values, the cell map (layout) and errors."""
