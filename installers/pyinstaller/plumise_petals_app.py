"""Frozen entry point of ``plumise-petals-app`` (the desktop app); see launcher.py."""
import sys

from launcher import run


def _main(argv):
    from app.main import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run(_main))
