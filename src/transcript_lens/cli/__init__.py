"""The command line: thin click commands over the library, a module per group.

- ``main``: the ``transcript-lens`` group; analyze, classify, evaluate, train,
  formats, schema;
- ``archive``: batch;
- ``store``: history, trends, export;
- ``report``: report, compare;
- ``common``: the options and output handling the commands share.
"""

from .main import cli, main

__all__ = ["cli", "main"]
