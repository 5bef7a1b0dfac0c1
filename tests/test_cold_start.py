"""A click and a CLI command load only what they run: what each entry imports, and that the lean paths behave
exactly as the whole ones (the speed itself is measured in benchmarks/, never asserted here)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.testing
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import xlgoals
from tests.test_cli_usage import CASES
from xlgoals.core import builtin, ruleset, targets
from xlgoals.shells.cli import app, app_for

# The console script, as `xlgoals ARGS...` runs it.
MAIN = "import os\nfrom xlgoals.shells.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
HEAVY = ("pydantic", "typer", "rich", "openpyxl", "xlsxwriter", "duckdb", "pandas", "numpy")


def _loaded(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Run `code` in a fresh interpreter; which of HEAVY it loaded, and what it printed to stdout."""
    probe = f"{code}\nimport sys\nsys.__stdout__.write('\\n@@' + repr([m for m in {HEAVY!r} if m in sys.modules]))"
    run = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    out, _, loaded = run.stdout.rpartition("\n@@")
    assert loaded, run.stderr
    return {"loaded": eval(loaded), "out": [out]}


def test_import_xlgoals_loads_no_model_until_a_name_is_used() -> None:
    found = _loaded("import xlgoals, sys; print(sorted(m for m in sys.modules if m.startswith('xlgoals')))")
    assert found["loaded"] == []
    assert found["out"][0].strip() == "['xlgoals']"
    found = _loaded("import xlgoals; xlgoals.Unit")
    assert found["loaded"] == ["pydantic"]


def test_every_public_name_resolves_to_its_module() -> None:
    assert sorted(xlgoals.__all__) == sorted(xlgoals._WHERE)
    for name in xlgoals.__all__:
        value = getattr(xlgoals, name)
        assert value is getattr(sys.modules[xlgoals._WHERE[name]], name)
        assert name in dir(xlgoals)
    with pytest.raises(AttributeError):
        _ = xlgoals.no_such_name
    from xlgoals import excel  # a submodule still imports by name

    assert excel.__name__ == "xlgoals.excel"


def test_excel_entry_module_loads_no_cli_writer_database_or_model() -> None:
    assert _loaded("import xlgoals.excel")["loaded"] == []


def test_cli_import_loads_no_model_or_console_and_leaves_the_environment() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    code = "import os, xlgoals.shells.cli; print(os.environ.get('PYDANTIC_DISABLE_PLUGINS'))"
    found = _loaded(code, env=env)
    assert found["loaded"] == ["typer"]
    assert found["out"][0].strip() == "None"


def test_validate_json_needs_no_rich(sample_xlsx: Path) -> None:
    found = _loaded(MAIN, "validate", str(sample_xlsx), "--format", "json")
    assert "rich" not in found["loaded"] and "pydantic" in found["loaded"]
    assert json.loads(found["out"][0])["file"] == sample_xlsx.name


def test_main_turns_plugins_off_unless_the_deployer_chose() -> None:
    for preset, expected in ((None, "__all__"), ("logfire", "logfire")):
        env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
        if preset:
            env["PYDANTIC_DISABLE_PLUGINS"] = preset
        found = _loaded(MAIN + "\nprint(os.environ['PYDANTIC_DISABLE_PLUGINS'])", "validate", "--help", env=env)
        assert found["out"][0].strip().splitlines()[-1] == expected


@pytest.fixture(autouse=True)
def _runner_as_main(monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner builds the click command as main() does (typer.main.get_group), so a one-command copy stays a
    group of commands, as it does in main()."""
    monkeypatch.setattr(typer.testing, "_get_command", typer.main.get_group)


def _invoke(group: typer.Typer, args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(group, args, prog_name="xlgoals")
    return result.exit_code, result.output


@pytest.mark.parametrize("args", [c[0] for c in CASES], ids=[" ".join(c[0]) for c in CASES])
def test_one_command_app_answers_usage_errors_as_the_whole_app(args: list[str], tmp_path: Path) -> None:
    assert _invoke(app_for(args), args) == _invoke(app, args)


def test_one_command_app_runs_and_helps_as_the_whole_app(sample_xlsx: Path) -> None:
    names = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]
    assert app_for(["validate", "x"]).registered_commands == [
        c for c in app.registered_commands if c.callback and c.callback.__name__ == "validate"
    ]
    assert app_for(["--help"]) is app and app_for([]) is app and app_for(["valdate"]) is app
    for args in (
        *([name, "--help"] for name in ("template", "import", "read", "validate", "rollup", "consolidate")),
        ["archive", "--help"],
        ["archive", "list", "--help"],
        ["validate", str(sample_xlsx), "--format", "json"],
        ["validate", str(sample_xlsx)],
    ):
        code, output = _invoke(app_for(args), args)
        assert (code, output) == _invoke(app, args), args
        assert "Traceback" not in output
    assert len(app.registered_commands) == len(names)  # the lean copies left the app as it was


def test_naming_a_framework_parses_only_its_rule_set() -> None:
    ruleset._parse_file.cache_clear()
    national = ruleset.builtin_named("全国（财政部）")
    assert national is not None and national.name == "national"
    assert ruleset._parse_file.cache_info().currsize == 1
    assert ruleset.builtin_named("national") is national
    assert ruleset.builtin_named("没有这个体系") is None
    assert [rs.name for rs in ruleset.builtin_rulesets()] == list(builtin.BUILTIN)


def test_an_edited_builtin_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in builtin.BUILTIN:
        (tmp_path / f"{name}.toml").write_bytes(builtin.builtin_path(name).read_bytes())
    monkeypatch.setattr(builtin, "_DIR", tmp_path)
    assert ruleset.builtin_named("上海市（2020）") is not None
    edited = tmp_path / "shanghai-2020.toml"
    edited.write_text(edited.read_text(encoding="utf-8").replace('"上海市（2020）"', '"上海市（2020 修订）"'), "utf-8")
    os.utime(edited, ns=(1, 1))  # an edit within the same clock tick still changes the key: size and time
    assert ruleset.builtin_named("上海市（2020）") is None
    renamed = ruleset.builtin_named("上海市（2020 修订）")
    assert renamed is not None and renamed.title == "上海市（2020 修订）"


def test_a_head_that_is_not_toml_alone_falls_back_to_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'name = "x"\ntitle = "X"\ndescription = """two lines,\n[the second starts like a table]"""\n'
    (tmp_path / "x.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(builtin, "_DIR", tmp_path)
    assert builtin.builtin_head("x") is None
    (tmp_path / "x.toml").write_text('name = "x"\ntitle = "X"\n[choices]\ncategory = []\n', encoding="utf-8")
    assert builtin.builtin_head("x") == {"name": "x", "title": "X"}


_OLD_GRADE_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{1,4}")


@given(st.text(alphabet=st.sampled_from("合规a1 \u3400\u4dbf\u4dc0\u4e00\u9fff\ua000\uf900\ufaff\ufb00。"), max_size=6))
def test_grade_word_test_matches_the_regex_it_replaced(text: str) -> None:
    assert targets._grade_word(text) == bool(_OLD_GRADE_WORD.fullmatch(text))
