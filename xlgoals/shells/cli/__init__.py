"""The command line (typer + rich): one module per command group, each registering its commands on one app."""

import copy
import os
import sys
from importlib import import_module

import typer

from xlgoals.shells.cli.common import app

# Imported in the order `xlgoals --help` lists the commands: the unit's, then the department's.
for _group in ("unit", "selfeval", "department", "archive", "serve"):
    import_module(f"xlgoals.shells.cli.{_group}")


def _name(command: typer.models.CommandInfo) -> str | None:
    """The name typer gives a command: its own, else its function's ('read_cmd' -> 'read-cmd')."""
    callback = command.callback
    return command.name or (typer.main.get_command_name(callback.__name__) if callback else None)


def app_for(args: list[str]) -> typer.Typer:
    """The app holding only the command `args` start with; the whole app for help, a typo or no command.

    typer builds the options of every registered command from its signature at each start, a tenth of a
    cold `xlgoals validate`; a run needs only its own command. The copy keeps the app's settings."""
    name = args[0] if args else None
    commands = [c for c in app.registered_commands if _name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    lean = copy.copy(app)
    lean.registered_commands, lean.registered_groups = commands, groups
    return lean


def main() -> None:
    # Our own process: no pydantic plugins to look up (a scan of every installed package's metadata).
    # setdefault, so a deployer who does use a plugin can still name it.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # get_group, not app(): with one command left, typer would otherwise make it the whole program.
    typer.main.get_group(app_for(sys.argv[1:]))()


__all__ = ["app", "app_for", "main"]
