"""Rule sets as data: the editable file of levels, vocabularies, forms, thresholds, rules and scoring, loaded.

The file's structure is checked here; whether each rule's check exists and takes its parameters and
placeholders is the checks' registry's to say (`validation.rules.check_ruleset`), one layer up."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xlgoals.core.builtin import BUILTIN as BUILTIN
from xlgoals.core.builtin import DEFAULT as DEFAULT
from xlgoals.core.builtin import builtin_head, builtin_path, file_version
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.targets import DEFAULT_QUALITATIVE


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class RuleSetError(XlgoalsError):
    """A rule-set file that cannot be used; the message names the file and the key."""

    code = "ruleset.invalid"

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source, self.key, self.problem = source, key, problem
        super().__init__(f"规则集文件 {source} 的 {key} 有误：{problem}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level1(_Strict):
    name: str
    required: bool = False
    level2: list[str]
    required_level2: list[str] = []

    @model_validator(mode="after")
    def _required_are_members(self) -> Level1:
        missing = [n for n in self.required_level2 if n not in self.level2]
        if missing:
            raise ValueError(f"required_level2 {missing} are not in level2")
        return self


class Choices(_Strict):
    category: list[str]
    perf_type: list[str]
    yes_no: list[str] = ["是", "否"]


class Roles(_Strict):
    """Which level-2 names play which part, so checks need not know a framework's wording."""

    quantity: list[str] = []
    quality: list[str] = []
    timeliness: list[str] = []
    cost: list[str] = []
    satisfaction: list[str] = []


class Qualitative(_Strict):
    words: list[str]


class RuleSpec(_Strict):
    """One rule: which built-in check runs, how severe, what the user is told and why."""

    code: str
    check: str
    severity: Severity
    message: str
    why: str
    params: dict[str, Any] = {}
    enabled: bool = True


class ScorePool(_Strict):
    """Points shared by the indicators of some level-1s (or level-2s): 产出 50 over 产出指标 and 成本指标.

    An indicator belongs to the first pool listing its level-2, else the first listing its level-1 ('*': any);
    its points are the pool's split evenly unless the unit enters its own."""

    name: str
    points: Decimal = Field(ge=0)
    level1: list[str] = []
    level2: list[str] = []
    why: str


class ScoreLevel(_Strict):
    """A level of achievement a qualitative indicator is judged by, and the share of its points it earns."""

    name: str
    fraction: Decimal = Field(ge=0, le=1)
    # What a unit (or a published table) writes for this level; the name itself always counts.
    words: list[str] = []


class ScoreLevels(_Strict):
    levels: list[ScoreLevel] = Field(min_length=2)
    why: str


class ExecutionScoring(_Strict):
    """预算执行率's points: 执行率 = 全年执行数 ÷ 全年预算数, scored as points × 执行率 (capped at the points),
    the full points from `full_from_percent` on."""

    points: Decimal = Field(ge=0)
    full_from_percent: Decimal = Field(default=Decimal(100), gt=0)
    why: str


class Scoring(_Strict):
    """How a 自评 is scored: the total, budget execution's points, the pools of indicator points, the levels."""

    total: Decimal = Decimal(100)
    execution: ExecutionScoring
    pools: list[ScorePool]
    qualitative: ScoreLevels
    why: str

    @model_validator(mode="after")
    def _words_once(self) -> Scoring:
        seen: dict[str, str] = {}
        for level in self.qualitative.levels:
            for word in (level.name, *level.words):
                if seen.setdefault(word, level.name) != level.name:
                    raise ValueError(f"“{word}”同时属于“{seen[word]}”和“{level.name}”两个等级")
        return self


class RuleSet(_Strict):
    name: str
    title: str
    description: str = ""
    # Which project sheet the framework's tables use: Shanghai's header fields or the national form's.
    form: Literal["shanghai", "national"] = "shanghai"
    choices: Choices
    roles: Roles = Roles()
    level1: list[Level1]
    qualitative: Qualitative
    rules: list[RuleSpec] = Field(default_factory=list)
    source: str = ""
    # How a self-evaluation (自评) is scored; a bureau's file without it scores as the built-in of its form.
    scoring: Scoring | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> RuleSet:
        names = [lv.name for lv in self.level1]
        if len(set(names)) != len(names):
            raise ValueError("level1 names repeat")
        codes = [r.code for r in self.rules]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"rule codes repeat: {dupes}")
        return self

    # The rules ask these for every indicator of every unit: a lookup, not a walk over the levels.
    @cached_property
    def level2_by_level1(self) -> dict[str, list[str]]:
        """Each level-1 name's level-2 names."""
        return {lv.name: lv.level2 for lv in self.level1}

    @cached_property
    def level1_by_level2(self) -> dict[str, str]:
        """Each level-2 name's level-1; a name listed under two (the 2015 form's 满意度) belongs to the first."""
        homes: dict[str, str] = {}
        for lv in self.level1:
            for name in lv.level2:
                homes.setdefault(name, lv.name)
        return homes

    @cached_property
    def qualitative_words(self) -> frozenset[str]:
        return frozenset(self.qualitative.words)

    @cached_property
    def own_words(self) -> bool:
        """The grade words differ from the reader's default, so the rules re-judge word vs sentence."""
        return self.qualitative_words != DEFAULT_QUALITATIVE


def _loc(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """A pydantic error location as the file reads: rules[3] becomes rules[4](code) so a bureau finds it."""
    parts: list[str] = []
    node: Any = data
    for p in loc:
        if isinstance(p, int):
            node = node[p] if isinstance(node, list) and p < len(node) else None
            tag = (node.get("code") or node.get("name")) if isinstance(node, dict) else None
            suffix = f"[{p + 1}]" + (f"({tag})" if tag else "")
            parts.append((parts.pop() if parts else "") + suffix)
        else:
            parts.append(p)
            node = node.get(p) if isinstance(node, dict) else None
    return ".".join(parts) or "(根)"


def parse_ruleset(text: str, source: str) -> RuleSet:
    """A rule set from TOML text, its structure checked; every problem names the file and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RuleSetError(source, "(文件格式)", f"不是有效的 TOML：{e}") from e
    try:
        rs = RuleSet.model_validate({**data, "source": source})
    except ValidationError as e:
        first = e.errors()[0]
        raise RuleSetError(source, _loc(first["loc"], data), first["msg"]) from e
    return rs


def _builtin(name: str) -> RuleSet:
    return _parsed_file(builtin_path(name), f"{name}.toml")


def _parsed_file(path: Path, source: str) -> RuleSet:
    """A rule-set file parsed once per process while it is unchanged: a department's thousand workbooks are
    checked by one parse in each worker, not one per workbook. Keyed by the file's modification time and size,
    so a bureau's edit (a built-in's comments invite one) is read again by a long-running process."""
    try:
        version = file_version(path)
    except OSError as e:
        raise RuleSetError(source, "(文件)", f"无法读取：{e}") from e
    return _parse_file(path, source, *version)


@cache
def _parse_file(path: Path, source: str, mtime_ns: int, size: int) -> RuleSet:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RuleSetError(source, "(文件)", f"无法读取：{e}") from e
    return parse_ruleset(text, source)


def load_ruleset(name_or_path: str | Path) -> RuleSet:
    """A built-in rule set by name or title, or a bureau's own file by path."""
    key = str(name_or_path).strip()
    builtin = builtin_named(key)
    if builtin is not None:
        return builtin
    path = Path(key)
    if path.suffix.lower() == ".toml" or path.exists():
        return _parsed_file(path, str(path))
    raise RuleSetError(key, "(名称)", f"没有这个规则集；可用：{', '.join(BUILTIN)}，或给出 .toml 文件路径")


def builtin_named(text: str) -> RuleSet | None:
    """The built-in rule set a cover means, by its name or its title."""
    key = text.strip()
    for name in BUILTIN:
        head = builtin_head(name)
        if head is None or key in (head.get("name"), head.get("title")):
            rs = _builtin(name)
            if key in (rs.name, rs.title):
                return rs
    return None


def framework_name(text: str) -> str:
    """The built-in rule-set name for what a cover says; other text as written, for the validator to report."""
    rs = builtin_named(text)
    return rs.name if rs else text.strip()


def framework_title(text: str) -> str:
    """What a person reads for a framework: a built-in rule set's Chinese title, other text as written."""
    rs = builtin_named(text)
    return rs.title if rs else text


def scoring_of(rs: RuleSet) -> Scoring:
    """The rule set's scoring, else that of the built-in rule set its form follows (a bureau's older copy)."""
    if rs.scoring is not None:
        return rs.scoring
    fallback = _builtin("national" if rs.form == "national" else DEFAULT).scoring
    assert fallback is not None, "every built-in rule set has a [scoring] block"
    return fallback


def builtin_rulesets() -> list[RuleSet]:
    return [_builtin(n) for n in BUILTIN]
