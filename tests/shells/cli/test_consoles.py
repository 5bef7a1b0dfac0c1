"""shells/cli/consoles.py: the command line's consoles are made on first use, print user text as written (no
markup, no emoji codes), on stdout and stderr as asked; three distinct exit codes."""

from __future__ import annotations

import io

from xlgoals.shells.cli import consoles
from xlgoals.shells.cli.consoles import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, LazyConsole


def test_a_console_is_made_once_on_first_use() -> None:
    sink = io.StringIO()
    lazy = LazyConsole(file=sink, width=40)
    assert lazy._console is None  # what --format json relies on: no rich console made until something prints
    lazy.print("甲")
    made = lazy._console
    assert made is not None and lazy.width == 40  # the console's own attributes reach through
    lazy.print("乙")
    assert lazy._console is made and sink.getvalue() == "甲\n乙\n"


def test_user_text_prints_as_written_on_both_consoles() -> None:
    names = "[red]单位[/red] :x: [bold]"
    for console, stream in ((consoles.out, "stdout"), (consoles.err, "stderr")):
        assert console.console.stderr is (stream == "stderr")
        with console.capture() as captured:
            console.print(names)
        assert captured.get() == names + "\n"


def test_exit_codes_tell_findings_from_unusable_input() -> None:
    assert (EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE) == (0, 1, 2)
