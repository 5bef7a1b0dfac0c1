"""`python -m xlgoals` runs the command line."""

from xlgoals.cli import main

main()
