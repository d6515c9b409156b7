"""The delivery commands' check of --notice that makes a wrong value a
command-line error (exit 2) with what to write (--issue is sotong.options.DAY_TEXT)."""

from __future__ import annotations

import re

import click


def notice_slug(ctx, param, value):
    """--notice: a notice slug."""
    if value is not None and not re.fullmatch(r"[\w-]+", value):
        raise click.BadParameter(f'"{value}" is not a notice slug; slugs are letters, digits and -, e.g. cold-wave-warning')
    return value
