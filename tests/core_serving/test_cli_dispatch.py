"""``plumise-petals status`` and ``devnet`` reach node-agent's and devnet's own commands."""
from __future__ import annotations

import pytest

from tests.helpers import run_python


@pytest.mark.parametrize("verb,expected", [("status", "plumise-petals status"), ("devnet", "plumise-petals devnet")])
def test_verbs_dispatch_to_their_modules(verb, expected):
    done = run_python(f"import sys; from core.cli import main; sys.exit(main(['{verb}', '--help']))", timeout=60)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
