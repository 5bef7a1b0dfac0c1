"""The end-to-end jobs on files, shared by the CLI and the Excel entry points."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from xlgoals.core.model import Unit
from xlgoals.io.files import Engine
from xlgoals.io.reader import read
from xlgoals.validation.findings import Report
from xlgoals.validation.rules import validate
from xlgoals.validation.ruleset import DEFAULT, RuleSet, RuleSetError, load_ruleset


def choose_ruleset(unit: Unit, rules: str | os.PathLike[str] | None = None) -> RuleSet:
    """The rule set asked for, else the one the cover sheet names, else the default.

    An unknown name on the cover falls back to the default; the unit.framework-unknown rule reports it.
    """
    if rules:
        return load_ruleset(os.fspath(rules))
    if unit.framework:
        try:
            return load_ruleset(unit.framework)
        except RuleSetError:
            pass
    return load_ruleset(DEFAULT)


@dataclass(frozen=True)
class Checked:
    unit: Unit
    ruleset: RuleSet
    report: Report


def check_unit(
    unit: Unit,
    rules: str | os.PathLike[str] | None = None,
    file: str | None = None,
    history: str | os.PathLike[str] | None = None,
) -> Checked:
    """The unit checked by its rule set; with `history` (an archive) also against last year's declaration."""
    rs = choose_ruleset(unit, rules)
    last_year = None
    if history is not None:
        from xlgoals.jobs.archive.history import last_year as lookup

        last_year = lookup(history, unit, rs.qualitative_words)
    return Checked(unit, rs, validate(unit, rs, file=file, history=last_year))


def check_file(
    path: str | os.PathLike[str],
    rules: str | os.PathLike[str] | None = None,
    engine: Engine = "calamine",
    history: str | os.PathLike[str] | None = None,
) -> Checked:
    return check_unit(read(path, engine), rules, file=Path(path).name, history=history)
