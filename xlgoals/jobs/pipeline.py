"""The one pipeline: a unit and its resolved rule set → a checked unit, for every caller.

The unit comes from a file, the grids of a workbook open in Excel or a worker's bytes; the callers are the CLI,
the Excel entry points, the consolidation workers and the server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from xlgoals.core.model import Unit
from xlgoals.io.container import Container
from xlgoals.io.files import BookGrid, Engine
from xlgoals.io.reader import read_book
from xlgoals.validation.counted import Counted, RuleSetMissing, Where, counted
from xlgoals.validation.findings import Report
from xlgoals.validation.rules import validate
from xlgoals.validation.ruleset import RuleSet, framework_title, load_ruleset


@dataclass(frozen=True)
class Among:
    """Which rule sets a cover may name (None: those XLGOALS_RULES lists, else the built-ins), and where the
    check runs when a cover naming another must be refused (None: checked by the default, and the
    unit.framework-unknown rule reports it — the batch commands, which account for every file)."""

    counted: Counted | None = None
    refuse: Where | None = None


def choose_ruleset(unit: Unit, rules: str | os.PathLike[str] | None = None, among: Among = Among()) -> RuleSet:
    """The rule set asked for, else the one the cover names among those that count, else the default."""
    if rules:
        return load_ruleset(os.fspath(rules))
    sets = among.counted if among.counted is not None else counted()
    if unit.framework.strip():
        found = sets.find(unit.framework)
        if found is not None:
            return found
        if among.refuse is not None:
            shown = framework_title(unit.framework.strip())
            raise RuleSetMissing(shown, sets.titles(), among.refuse, Path(unit.source).name if unit.source else None)
    return sets.default()


def preload(rules: str | os.PathLike[str] | None = None) -> RuleSet:
    """The rule set asked for (the default without one) parsed once, with the modules reading and checking
    need: before worker processes fork, so they inherit it instead of each paying for it (a first file's time
    bound then measures its reading, not our imports), and a broken rule-set file stops a run before any file
    is read or any output opened. The server's workers call it as they start."""
    import xlgoals.jobs.consolidate.worker  # noqa: F401 (the rows' renderers, imported once for every worker)

    return choose_ruleset(Unit(), rules)


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
    history: str | os.PathLike[str] | None = None,
    among: Among = Among(),
) -> Checked:
    """The unit checked by its rule set; with `history` (an archive) also against last year's declaration."""
    rs = choose_ruleset(unit, rules, among)
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
    among: Among = Among(),
) -> Checked:
    """A workbook file read once and checked; errors name the file."""
    unit, grids = read_book(path, engine)
    return replace(check_unit(unit, rules, file=Path(path).name, history=history, among=among), grids=grids)
