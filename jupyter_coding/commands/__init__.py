"""Subcommands of ``jupyter-coding``; each module has ``register(subparsers)``."""
