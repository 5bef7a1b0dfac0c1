"""validation/rules/historyselfeval.py: this year's declaration against last year's 自评: a target set below what
was achieved, an indicator dropped after it was missed (one met and dropped is the plain history rule's)."""

from __future__ import annotations

from tests.builders.checks import run_check
from tests.builders.paths import SAMPLE_TXT
from tests.builders.selfeval_years import declaration_2021, selfeval_2020
from xlgoals.core.ruleset import load_ruleset
from xlgoals.importing.importer import import_file
from xlgoals.validation.rules import historyselfeval
from xlgoals.validation.rules.registry import Context, History

RS = load_ruleset("shanghai-2020")


def _history() -> History:
    return History("xlgoals.duckdb", import_file(SAMPLE_TXT).unit, selfeval_2020())


def test_a_target_below_last_years_actual() -> None:
    unit = declaration_2021()
    (hit,) = run_check(historyselfeval.target_below_actual, unit, RS, history=_history())
    assert hit.indicator is not None and hit.indicator.name == "参会观众数"
    assert (hit.value, hit.params["last_actual"], hit.params["last_year"]) == (">=600", "620", 2020)


def test_a_missed_indicator_dropped() -> None:
    unit = declaration_2021()
    (hit,) = run_check(historyselfeval.indicator_dropped_after_miss, unit, RS, history=_history())
    assert hit.params["last_actual"] == "90%" and "研讨会议程活动完成率" in str(hit.value) + str(hit.params)
    ctx = Context(unit, RS, unit.projects[0], _history())
    assert historyselfeval.dropped_after_miss(ctx) == set(historyselfeval.missed(selfeval_2020().projects[0], RS))


def test_no_selfeval_in_the_archive_no_finding() -> None:
    unit = declaration_2021()
    bare = History("xlgoals.duckdb", import_file(SAMPLE_TXT).unit)
    assert run_check(historyselfeval.target_below_actual, unit, RS, history=bare) == []
    assert historyselfeval.last_selfeval(Context(unit, RS, unit.projects[0], bare)) is None
