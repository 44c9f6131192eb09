"""Dockerfile/compose for headless operators and the installers workflow: built from the same lock file."""
from __future__ import annotations

import re
import subprocess

import yaml

from .conftest import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def _docker_filter() -> str:
    match = re.search(r"grep -v -i -E '([^']+)'", DOCKERFILE)
    assert match
    return match.group(1)


def test_dockerfile_installs_the_lock_minus_desktop_and_test_packages():
    kept = subprocess.run(["grep", "-v", "-i", "-E", _docker_filter(), str(REPO_ROOT / "requirements.lock")],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    names = {line.split("==")[0].lower() for line in kept if "==" in line}
    assert {"torch", "hivemind", "transformers", "web3", "fastapi"} <= names
    assert not names & {"pyside6_essentials", "shiboken6", "pyinstaller", "pytest", "pytest-qt"}
    torch = [line for line in kept if line.lower().startswith("torch==")]
    assert torch and torch[0].endswith("+cpu")  # the CPU build, from the PyTorch CPU index
    assert "--index-url https://download.pytorch.org/whl/cpu" in DOCKERFILE


def test_dockerfile_installs_the_same_petals_as_the_makefile_and_runs_unprivileged():
    petals = re.search(r"^PETALS := (\S+)", (REPO_ROOT / "Makefile").read_text(), re.M).group(1)
    assert f"--no-deps {petals}" in DOCKERFILE
    assert "USER plumise" in DOCKERFILE
    assert 'ENTRYPOINT ["plumise-petals"]' in DOCKERFILE and 'CMD ["serve"]' in DOCKERFILE
    # the key comes from .env at run time, never baked into the image
    instructions = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in instructions if "PLUMISE_PRIVATE_KEY" in line]


def test_compose_runs_the_seed_quick_start():
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    node = compose["services"]["node"]
    assert node["env_file"] == ".env"
    assert "31330:31330/tcp" in node["ports"]
    assert any(v.endswith(":/data") for v in node["volumes"])
    assert node["restart"] == "unless-stopped"
    assert "cp resources/.env.example .env" in (REPO_ROOT / "docker-compose.yml").read_text()
    assert (REPO_ROOT / "resources" / ".env.example").is_file()


def test_dockerignore_keeps_secrets_and_environments_out():
    ignored = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    for pattern in (".env", ".venv", "node_modules", "dist", "build", ".git"):
        assert pattern in ignored


def test_workflow_builds_each_installer_on_its_own_runner():
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "installers.yml").read_text())
    jobs = workflow["jobs"]
    assert jobs["linux"]["runs-on"].startswith("ubuntu")
    assert jobs["macos"]["runs-on"].startswith("macos")
    assert jobs["windows"]["runs-on"].startswith("windows")
    text = (REPO_ROOT / ".github" / "workflows" / "installers.yml").read_text()
    for step in ("make dist ", "make dist-test", "make deb-test", "installers/macos/build-app.sh",
                 "sign-and-notarize.sh", "plumise-petals.iss", "SHA256SUMS"):
        assert step in text, step
    assert "requirements.lock" in text
    assert jobs["windows"]["needs"] == "linux"
    assert set(jobs["release"]["needs"]) == {"linux", "macos", "windows"}
