"""The workbooks xlgoals hands a unit: the template and the 自评 workbook, with the live checks written in."""
