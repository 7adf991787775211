"""`python -m testkommune.harness` is the `testkommune` command."""

from testkommune.harness.cli import main

main()
