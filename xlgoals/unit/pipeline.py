"""The one pipeline: a unit and its resolved rule set → a checked unit, for every caller.

The unit comes from a file, the grids of a workbook open in Excel or a worker's bytes; the callers are the CLI,
the Excel entry points, the consolidation workers and the server.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from xlgoals.core.model import Unit
from xlgoals.core.ruleset import RuleSet, framework_title, load_ruleset
from xlgoals.io.container import Container
from xlgoals.io.files import BookGrid, Engine
from xlgoals.io.reader import read_book
from xlgoals.validation.counted import Counted, RuleSetMissing, Where, counted
from xlgoals.validation.findings import Report
from xlgoals.validation.rules import History, check_ruleset, validate

# Last year's declaration of a unit, given the words its rule set grades by: the archive (a layer up, the
# department's) is asked by whoever holds its path, so the pipeline needs no archive to run.
LastYear = Callable[[Unit, frozenset[str]], History]


@dataclass(frozen=True)
class Among:
    """Which rule sets a cover may name (None: those XLGOALS_RULES lists, else the built-ins), and where the
    check runs when a cover naming another must be refused (None: checked by the default, and the
    unit.framework-unknown rule reports it — the batch commands, which account for every file)."""

    counted: Counted | None = None
    refuse: Where | None = None


def choose_ruleset(unit: Unit, rules: str | os.PathLike[str] | None = None, among: Among = Among()) -> RuleSet:
    """The rule set asked for, else the one the cover names among those that count, else the default. The
    rule set's rules are checked against the registry of checks, so a bureau's broken file stops here."""
    if rules:
        return check_ruleset(load_ruleset(os.fspath(rules)))
    sets = among.counted if among.counted is not None else counted()
    if unit.framework.strip():
        found = sets.find(unit.framework)
        if found is not None:
            return check_ruleset(found)
        if among.refuse is not None:
            shown = framework_title(unit.framework.strip())
            raise RuleSetMissing(shown, sets.titles(), among.refuse, Path(unit.source).name if unit.source else None)
    return check_ruleset(sets.default())


@dataclass(frozen=True)
class Checked:
    unit: Unit
    ruleset: RuleSet
    report: Report
    # The file's grids when it was read from a file: their checked bytes serve the write-back.
    grids: BookGrid | None = None

    @property
    def container(self) -> Container | None:
        return self.grids.container if self.grids is not None else None


def check_unit(
    unit: Unit,
    rules: str | os.PathLike[str] | None = None,
    file: str | None = None,
    history: LastYear | None = None,
    among: Among = Among(),
) -> Checked:
    """The unit checked by its rule set; with `history` (last year's declaration from an archive, as
    `functools.partial(department.archive.history.last_year, db)` finds it) also against that."""
    rs = choose_ruleset(unit, rules, among)
    last_year = None if history is None else history(unit, rs.qualitative_words)
    return Checked(unit, rs, validate(unit, rs, file=file, history=last_year))


def check_file(
    path: str | os.PathLike[str],
    rules: str | os.PathLike[str] | None = None,
    engine: Engine = "calamine",
    history: LastYear | None = None,
    among: Among = Among(),
) -> Checked:
    """A workbook file read once and checked; errors name the file."""
    unit, grids = read_book(path, engine)
    return replace(check_unit(unit, rules, file=Path(path).name, history=history, among=among), grids=grids)
