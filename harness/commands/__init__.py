"""One module per `testkommune` command: its parser (`add_parser`: help, description, examples, exit codes)
and its `run(args, stdout) -> exit code`. `harness/cli.py` builds the parser and dispatches."""
