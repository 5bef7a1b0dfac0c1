"""`python -m xlgoals` runs the command line."""

from xlgoals.shells.cli import main

main()
