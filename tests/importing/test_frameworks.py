"""jobs/importing/frameworks.py: which built-in framework a table's levels follow, and another form's level names
filed under the framework's where the mapping is certain."""

from __future__ import annotations

from tests.builders.paths import REAL, SAMPLE_TXT
from tests.builders.units import indicator
from xlgoals.importing.frameworks import Mapping, framework_of, map_levels
from xlgoals.importing.importer import import_file


def test_the_framework_whose_levels_fit_most() -> None:
    assert framework_of(import_file(SAMPLE_TXT).unit) == "shanghai-2020"
    assert framework_of(import_file(REAL / "nanyue_2018_fupin_jichusheshi.txt").unit) == "national-2015"


def test_levels_mapped_only_where_certain() -> None:
    social = indicator("效益指标", "社会效益", "群众知晓率", ">=90%")
    kept = indicator("产出指标", "数量指标", "补助人数", "50人")
    unknown = indicator("产出指标", "自创的二级", "某指标", "1")
    changed = map_levels([kept, social, unknown], "national-2015")
    assert changed == [(social, Mapping("二级指标", "社会效益", "社会效益指标"))]
    assert (social.level1, social.level2) == ("效益指标", "社会效益指标")
    assert unknown.level2 == "自创的二级"  # no certain home: left as printed
    assert map_levels([kept], "no-such-framework") == []
