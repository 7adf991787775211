"""`python -m harness` is the `testkommune` command."""

from harness.cli import main

main()
