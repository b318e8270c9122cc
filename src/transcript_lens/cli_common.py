"""Pieces every command module shares: the error decorator and the classifier options.

They live here rather than in cli.py so that the command modules cli.py
registers (cli_batch, cli_store) can use them without importing cli.py.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .errors import TranscriptLensError

F = TypeVar("F", bound=Callable[..., Any])

CLASSIFIERS = ("ensemble", "learned", "rules")
DEFAULT_CLASSIFIER = "ensemble"


def _friendly(func: F) -> F:
    """Turn the library's errors into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TranscriptLensError as error:
            raise click.ClickException(str(error)) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def classifier_option(func: F) -> F:
    """--classifier and --device, shared by every command that labels."""
    func = click.option(
        "--device",
        default="cpu",
        show_default=True,
        help="Where the learned model runs: cpu, or cuda where torch has one.",
    )(func)
    return click.option(
        "--classifier",
        type=click.Choice(CLASSIFIERS),
        default=DEFAULT_CLASSIFIER,
        show_default=True,
        help="Labeller: the learned model combined with the rules, either alone.",
    )(func)
