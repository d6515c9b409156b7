"""``python -m sotong``: the same as the ``sotong`` command."""

from .cli import main

if __name__ == "__main__":  # not when a process started by multiprocessing imports it (the devserver's builds)
    main()
