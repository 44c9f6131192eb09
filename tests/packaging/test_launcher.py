"""The frozen executables' dispatcher: ``-m MODULE`` (as python does), ``--self-test``, else the entry point."""
from __future__ import annotations

import sys

import pytest

import launcher


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["exe", "-m", "core", "serve", "--events", "jsonl"], ("core", ["core", "serve", "--events", "jsonl"])),
        (["exe", "-u", "-B", "-m", "devnet.oracle", "--port", "0"], ("devnet.oracle", ["devnet.oracle", "--port", "0"])),
        (["exe", "-X", "utf8", "-m", "devnet.bootstrap"], ("devnet.bootstrap", ["devnet.bootstrap"])),
        (["exe", "-Xutf8", "-mcore"], ("core", ["core"])),
        (["exe", "serve", "-m", "x"], None),  # a flag of `serve`, not an interpreter option
        (["exe", "--self-test"], None),
        (["exe"], None),
        (["exe", "-m"], None),
    ],
)
def test_module_invocation(argv, expected):
    assert launcher.module_invocation(argv) == expected


def test_dash_m_runs_the_module_as_main_with_its_arguments(tmp_path, monkeypatch):
    (tmp_path / "probe_mod.py").write_text(
        "import sys, pathlib\n"
        "if __name__ == '__main__':\n"
        "    pathlib.Path(sys.argv[2]).write_text(sys.argv[1])\n"
        "    sys.exit(7)\n"
    )
    out = tmp_path / "out.txt"
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    code = launcher.run(lambda argv: pytest.fail("the default main must not run"),
                        ["exe", "-u", "-m", "probe_mod", "hello", str(out)])
    assert code == 7
    assert out.read_text() == "hello"


def test_self_test_flag_goes_to_core_self_test(monkeypatch):
    import core.self_test

    seen = []
    monkeypatch.setattr(core.self_test, "main", lambda argv: seen.append(list(argv)) or 0)
    assert launcher.run(lambda argv: pytest.fail("not the default main"), ["exe", "--self-test", "--keep"]) == 0
    assert seen == [["--keep"]]


def test_everything_else_goes_to_the_entry_point():
    seen = []
    assert launcher.run(lambda argv: seen.append(list(argv)) or 3, ["exe", "serve", "--model", "m"]) == 3
    assert seen == [["serve", "--model", "m"]]
    assert launcher.run(lambda argv: None, ["exe"]) == 0
