"""jobs/importing/prose.py: indicators a self-evaluation report states in sentences, with their level-1 from the
section they stand in."""

from __future__ import annotations

from xlgoals.importing.prose import Stated, stated

REPORT = (
    "1.产出目标完成情况 (1)时效目标:人才驿站补助资金到位时间绩效目标值是2023年12月前,实际完成值为2023年12月前,"
    "目标完成率为100%。(2)数量指标:补助人数绩效目标值为50人,实际完成值是48人。"
    "2.效益目标完成情况 (1)社会效益指标:群众知晓率绩效目标值为90%"
)


def test_each_sentence_an_indicator_under_its_section() -> None:
    found = list(stated(REPORT))
    assert [(s.level1, s.level2, s.name, s.value, s.actual, s.rate) for s in found] == [
        ("产出目标", "时效目标", "人才驿站补助资金到位时间", "2023年12月前", "2023年12月前", "100%"),
        ("产出目标", "数量指标", "补助人数", "50人", "48人", ""),
        ("效益目标", "社会效益指标", "群众知晓率", "90%", "", ""),
    ]
    assert found[1].words == "(2)数量指标:补助人数绩效目标值为50人,实际完成值是48人"
    assert isinstance(found[0], Stated)


def test_text_without_such_sentences_states_nothing() -> None:
    assert list(stated("全年共举办培训12场，参训人数达到350人次，满意度达到95%。")) == []
