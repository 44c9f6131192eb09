"""DESIGN.md's rule app -> core -> chain: lower layers import with the upper ones' libraries missing."""
import pkgutil

import pytest

from tests.helpers import REPO_ROOT, run_python

BLOCKER = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ImportError(f'{name} is blocked by the dependency-rule test')
sys.meta_path.insert(0, Blocker())
"""


def _modules(package: str) -> list[str]:
    path = REPO_ROOT / package
    return [package] + [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(path)]) if m.name != "__main__"]


@pytest.mark.parametrize(
    "package, blocked",
    [("chain", ["PySide6", "torch", "petals", "hivemind", "core", "app"]), ("core", ["PySide6", "app"])],
)
def test_layer_imports_without_upper_layers(package, blocked):
    modules = _modules(package)
    code = f"BLOCKED = {blocked!r}\n{BLOCKER}\nimport importlib\n"
    code += "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "print('ok')\n"
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
