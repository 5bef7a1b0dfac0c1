"""The command line (typer + rich): one module per command group, each registering its commands on one app."""

from importlib import import_module

from xlgoals.shells.cli.common import app

# Imported in the order `xlgoals --help` lists the commands: the unit's, then the department's.
for _group in ("unit", "department", "archive", "serve"):
    import_module(f"xlgoals.shells.cli.{_group}")


def main() -> None:
    app()


__all__ = ["app", "main"]
