"""Frozen entry point of ``plumise-petals`` (the headless node); see launcher.py."""
import sys

from launcher import run


def _main(argv):
    from core.cli import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run(_main))
