"""``python -m sotong``: the same as the ``sotong`` command."""

from .cli import main

main()
