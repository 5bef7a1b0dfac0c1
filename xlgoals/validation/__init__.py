"""Validation: rule sets as data, the rules, findings, marks on the sheet and the write-back."""
