"""The built-in checks: importing each module registers its checks in the registry."""

from xlgoals.validation.rules import (
    cells,
    coverage,
    fields,
    history,
    historyselfeval,
    levels,
    money,
    selfeval,
    targets,
    unit,
)

__all__ = [
    "cells",
    "coverage",
    "fields",
    "history",
    "historyselfeval",
    "levels",
    "money",
    "selfeval",
    "targets",
    "unit",
]
