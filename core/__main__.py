"""``python -m core`` is the headless CLI, the same as the ``plumise-petals`` command."""
import sys

from core.cli import main

sys.exit(main())
