"""The ``responder`` command: a thin adapter over the core; errors become one line and an exit code.

``app`` holds the group and the commands about single comments, the playbook, the server and
keys; ``label`` the batch command; ``models`` training, evaluation and model building;
``common`` what they share (progress on the terminal, options, loading the assistant).
"""

from responder.cli.app import cli, main

__all__ = ["cli", "main"]
