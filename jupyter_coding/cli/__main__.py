"""``python -m jupyter_coding.cli``: the command line."""

from jupyter_coding.cli import main

raise SystemExit(main())
