"""A unit's work: the one pipeline (read, check), the roll-up and its 汇总 sheet, 自评 figures and workbooks."""
