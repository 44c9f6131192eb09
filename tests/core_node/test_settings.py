"""core.settings: precedence, validation messages, the key never persisted, corrupt files moved aside, migration."""
from __future__ import annotations

import argparse
import json
import os

import pytest

from core import settings as st

KEY = "0x" + "ab" * 32


def parse(argv):
    parser = argparse.ArgumentParser()
    st.add_arguments(parser)
    return parser.parse_args(argv)


def test_precedence_file_then_env_file_then_environment_then_flags(tmp_path):
    path = tmp_path / "settings.json"
    st.save_settings(st.Settings().replace(num_blocks=1, report_interval=30, petals_port=40000, model_tier="lite"), path)
    env_file = tmp_path / ".env"
    env_file.write_text("NUM_BLOCKS=2\nREPORT_INTERVAL=20\nPETALS_PORT=40001\n")
    environ = {"NUM_BLOCKS": "3", "REPORT_INTERVAL": "15"}
    args = parse(["--settings-file", str(path), "--env-file", str(env_file), "--num-blocks", "4"])
    loaded = st.settings_from_args(args, environ=environ)
    s = loaded.settings
    assert (s.num_blocks, s.report_interval, s.petals_port, s.model_tier) == (4, 15, 40001, "lite")
    assert loaded.sources["num_blocks"] == "the command line"
    assert loaded.sources["report_interval"] == "the environment"
    assert loaded.sources["petals_port"].startswith(".env file")
    assert loaded.sources["model_tier"].startswith("settings file")


def test_absent_flags_do_not_override(tmp_path):
    loaded = st.settings_from_args(parse(["--settings-file", str(tmp_path / "none.json")]),
                                   environ={"PLUMISE_AUTO_CLAIM": "no", "PLUMISE_INITIAL_PEERS": ""})
    assert loaded.settings.auto_claim is False and loaded.settings.initial_peers == ()
    flags = st.settings_from_args(parse(["--settings-file", str(tmp_path / "none.json"), "--auto-claim",
                                         "--initial-peers", "/ip4/10.0.0.1/tcp/31330/p2p/QmPeer"]),
                                  environ={"PLUMISE_AUTO_CLAIM": "no"})
    assert flags.settings.auto_claim is True
    assert flags.settings.initial_peers == ("/ip4/10.0.0.1/tcp/31330/p2p/QmPeer",)


def test_presets_and_explicit_endpoints():
    mainnet = st.Settings()
    assert mainnet.effective_rpc_url == "https://plug.plumise.com/rpc"
    assert mainnet.effective_oracle_url == "https://plug.plumise.com/oracle"
    assert mainnet.effective_chain_id == 41956
    local = st.Settings(network="local")
    assert (local.effective_rpc_url, local.effective_oracle_url) == ("http://localhost:26902", "http://localhost:15481")
    devnet = st.Settings(network="devnet")
    assert devnet.effective_rpc_url is None  # filled in once the app has started the devnet
    assert devnet.replace(rpc_url="http://127.0.0.1:5555/").effective_rpc_url == "http://127.0.0.1:5555"
    assert mainnet.effective_reward_pool_address == "0x0000000000000000000000000000000000001000"


def test_validation_names_field_source_problem_and_allowed_values(tmp_path):
    with pytest.raises(st.SettingsError) as info:
        st.load_settings(settings_path=tmp_path / "s.json", environ={
            "PETALS_PORT": "http", "REPORT_INTERVAL": "5", "PLUMISE_NETWORK": "testnet",
            "AGENT_REGISTRY_ADDRESS": "0x123", "PLUMISE_INITIAL_PEERS": "1.2.3.4:31330",
        }, flags={"num_blocks": "-1"})
    problems = info.value.problems
    assert len(problems) == 6
    text = str(info.value)
    assert "PETALS_PORT (--port) from the environment: 'http' is not a whole number; use a port from 1 to 65535" in text
    assert "REPORT_INTERVAL (--report-interval) from the environment: 5 is out of range; use a number of seconds from 10 to 3600" in text
    assert "use one of: mainnet, local, devnet" in text
    assert "0x followed by 40 hexadecimal digits" in text
    assert "multiaddress like /ip4/" in text
    assert "NUM_BLOCKS (--num-blocks) from the command line" in text


def test_cross_field_checks(tmp_path):
    with pytest.raises(st.SettingsError, match="set only one"):
        st.load_settings(settings_path=tmp_path / "s.json", environ={"NUM_BLOCKS": "2", "PLUMISE_BLOCK_INDICES": "0:4"})
    with pytest.raises(st.SettingsError, match="two different ports"):
        st.Settings().replace(status_port=31330)
    with pytest.raises(st.SettingsError, match="start < end"):
        st.Settings().replace(block_indices="4:2")


def test_private_key_never_shown_nor_saved(tmp_path):
    loaded = st.load_settings(settings_path=tmp_path / "s.json", environ={"PLUMISE_PRIVATE_KEY": "ab" * 32})
    s = loaded.settings
    assert s.private_key.reveal() == KEY  # 0x added
    for text in (repr(s), str(s), f"{s.private_key}", repr(loaded), str(s.to_file_dict())):
        assert "ab" * 32 not in text
    path = st.save_settings(s, tmp_path / "s.json")
    assert "ab" * 32 not in path.read_text() and "private_key" not in path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(s.private_key)
    # A bad key is refused without echoing it.
    with pytest.raises(st.SettingsError) as info:
        st.load_settings(settings_path=tmp_path / "s.json", environ={"PLUMISE_PRIVATE_KEY": "zz" + "ab" * 31})
    assert "ab" * 31 not in str(info.value)


def test_key_in_settings_file_is_ignored_with_a_warning(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"version": 1, "private_key": KEY, "num_blocks": 2}))
    loaded = st.load_settings(settings_path=path, environ={})
    assert loaded.settings.private_key is None and loaded.settings.num_blocks == 2
    assert any("never read from the settings file" in w for w in loaded.warnings)
    assert all(KEY not in w for w in loaded.warnings)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_env_file_with_key_readable_by_others_is_warned(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"PLUMISE_PRIVATE_KEY={KEY}\n")
    env_file.chmod(0o644)
    loaded = st.load_settings(settings_path=tmp_path / "s.json", env_file=env_file, environ={})
    assert loaded.settings.private_key.reveal() == KEY
    assert any(f"chmod 600 {env_file}" in w for w in loaded.warnings)
    env_file.chmod(0o600)
    assert not st.load_settings(settings_path=tmp_path / "s.json", env_file=env_file, environ={}).warnings


def test_corrupt_file_is_moved_aside_and_reported(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"version": 1, "num_blocks": 3,')  # truncated write
    loaded = st.load_settings(settings_path=path, environ={})
    assert loaded.settings == st.Settings()
    assert not path.exists()
    moved = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_text() == '{"version": 1, "num_blocks": 3,'
    assert any(moved[0].name in w and "damaged" in w for w in loaded.warnings)


def test_invalid_values_in_file_fall_back_and_keep_the_original(tmp_path):
    path = tmp_path / "settings.json"
    original = json.dumps({"version": 1, "petals_port": 99999, "num_blocks": 3, "surprise": 1})
    path.write_text(original)
    loaded = st.load_settings(settings_path=path, environ={})
    assert loaded.settings.petals_port == st.DEFAULT_PETALS_PORT and loaded.settings.num_blocks == 3
    backups = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text() == original
    assert any("petals_port" in w and backups[0].name in w for w in loaded.warnings)
    assert any("'surprise'" in w for w in loaded.warnings)


def test_unversioned_file_with_seed_names_is_migrated(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"MODEL_NAME": "bigscience/bloom-7b1", "NUM_BLOCKS": "4", "ORACLE_API_URL":
                                "http://localhost:15481", "CLAIM_THRESHOLD_WEI": "5"}))
    s = st.load_settings(settings_path=path, environ={}).settings
    assert (s.model_name, s.num_blocks, s.oracle_url, s.claim_threshold_wei) == (
        "bigscience/bloom-7b1", 4, "http://localhost:15481", 5)
    st.save_settings(s, path)
    assert json.loads(path.read_text())["version"] == st.SCHEMA_VERSION


def test_newer_schema_is_read_with_a_warning(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": st.SCHEMA_VERSION + 1, "num_blocks": 2}))
    loaded = st.load_settings(settings_path=path, environ={})
    assert loaded.settings.num_blocks == 2 and any("newer version" in w for w in loaded.warnings)
    assert path.exists()


def test_save_is_atomic_and_round_trips(tmp_path):
    path = tmp_path / "deep" / "settings.json"
    s = st.Settings(network="local").replace(initial_peers="/ip4/1.2.3.4/tcp/1/p2p/QmA,/ip4/1.2.3.5/tcp/1/p2p/QmB",
                                             pause_while_in_use=True, idle_minutes=7, language="ko",
                                             cpu_threads=2, auto_claim=False)
    st.save_settings(s, path)
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary left behind
    assert st.load_settings(settings_path=path, environ={}).settings == s


def test_command_line_private_key_is_refused():
    with pytest.raises(st.SettingsError, match="--key-stdin"):
        st.settings_from_args(parse(["--private-key", KEY]), environ={})


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="XDG folders are Linux's")
def test_default_path_is_in_the_os_config_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("PLUMISE_SETTINGS_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert st.default_settings_path() == tmp_path / "plumise-petals" / "settings.json"


def test_status_port_zero_means_any_free_port(tmp_path):
    loaded = st.load_settings(settings_path=tmp_path / "s.json", environ={"PLUMISE_STATUS_PORT": "0"})
    assert loaded.settings.status_port == 0
    assert st.Settings().replace(status_port=0, petals_port=0).status_port == 0  # two "any" ports never clash
    with pytest.raises(st.SettingsError, match=r"0: any free port"):
        st.Settings().replace(status_port=-1)
