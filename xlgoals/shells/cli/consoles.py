"""The command line's consoles (rich, made on first use; user text never markup) and its exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class LazyConsole:
    """A rich Console made on first use: `--format json` output never imports rich's console (a tenth of a
    cold `validate`)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        self.console.print(*objects, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


# User text (file, sheet, project and unit names) is never markup or emoji codes: a name like "[red]" or
# ":x:" prints as written. Our own styling uses Text objects.
out = LazyConsole(highlight=False, markup=False, emoji=False)
err = LazyConsole(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
