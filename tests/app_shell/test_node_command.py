"""The node's command line is a pure function: Linux/macOS and the Windows/WSL2 variant."""
from app.node_supervisor import (
    NodeLaunch,
    backoff_delay_s,
    build_node_command,
    log_level_of,
    parse_event_line,
    windows_path_to_wsl,
)


def test_posix_command_runs_core_serve_with_events_and_key_on_stdin():
    launch = NodeLaunch(flags=("--network", "devnet", "--num-blocks", "4"), python="/venv/bin/python", os_name="linux")
    assert build_node_command(launch) == [
        "/venv/bin/python", "-m", "core", "serve", "--events", "jsonl", "--key-stdin",
        "--network", "devnet", "--num-blocks", "4",
    ]
    assert build_node_command(NodeLaunch(python="py", os_name="darwin"))[:4] == ["py", "-m", "core", "serve"]


def test_windows_command_runs_inside_wsl_with_paths_translated():
    launch = NodeLaunch(
        flags=("--model", r"C:\Users\Me\models\bloom", "--rpc-url", "http://127.0.0.1:26902"),
        os_name="win32",
        python=r"C:\Program Files\Plumise\python.exe",  # the Windows interpreter is not used inside WSL
        wsl_distro="Ubuntu-22.04",
        wsl_python="/opt/plumise/venv/bin/python",
        wsl_workdir=r"D:\plumise",
    )
    assert build_node_command(launch) == [
        "wsl.exe", "-d", "Ubuntu-22.04", "--cd", "/mnt/d/plumise", "--",
        "/opt/plumise/venv/bin/python", "-m", "core", "serve", "--events", "jsonl", "--key-stdin",
        "--model", "/mnt/c/Users/Me/models/bloom", "--rpc-url", "http://127.0.0.1:26902",
    ]


def test_windows_command_with_default_distro():
    command = build_node_command(NodeLaunch(os_name="win32"))
    assert command[:3] == ["wsl.exe", "--", "python3"]


def test_windows_path_translation_leaves_other_arguments_alone():
    assert windows_path_to_wsl("C:/x/y") == "/mnt/c/x/y"
    assert windows_path_to_wsl("E:\\") == "/mnt/e"
    for value in ("--model", "http://c:80/x", "4", "/home/me", "bigscience/bloom-560m"):
        assert windows_path_to_wsl(value) == value


def test_key_never_in_command():
    # NodeLaunch has no field for a key at all; nothing the settings hold can be the key.
    assert "key" not in {f for f in NodeLaunch.__dataclass_fields__ if f != "key_stdin"}


def test_backoff_grows_then_holds():
    delays = [backoff_delay_s(n) for n in range(1, 9)]
    assert delays == sorted(delays)
    assert delays[0] < delays[-1] and delays[-1] == delays[-2]


def test_event_line_parsing():
    assert parse_event_line('{"event": "state", "state": "serving"}') == {"event": "state", "state": "serving"}
    assert parse_event_line("INFO petals: loaded") is None
    assert parse_event_line('{"no_event": 1}') is None
    assert parse_event_line("{broken") is None
    assert log_level_of("2024-01-01 10:00:00 WARNING hivemind: slow") == "WARNING"
    assert log_level_of("plain text") == "INFO"


def test_devnet_split_comes_from_the_models_layers(tmp_path):
    import json

    from app.devnet_runner import devnet_command
    from devnet.preset import model_layers, node_flags, split_blocks

    assert split_blocks(8) == ((0, 4), (4, 8))
    assert split_blocks(5) == ((0, 2), (2, 5))
    bloom = tmp_path / "bloom"
    bloom.mkdir()
    (bloom / "config.json").write_text(json.dumps({"model_type": "bloom", "n_layer": 6}))
    llama = tmp_path / "llama"
    llama.mkdir()
    (llama / "config.json").write_text(json.dumps({"model_type": "llama", "num_hidden_layers": 12}))
    assert model_layers(bloom) == 6 and model_layers(llama) == 12

    command = devnet_command(tmp_path / "state", python="python3", num_layers=6)
    assert command[command.index("--serve") + 1] == "0:3"
    info = {"rpc_url": "http://127.0.0.1:1", "chain_id": 41956, "model_dir": str(llama), "dht_prefix": "p"}
    flags = node_flags(info, status_port=1234)
    assert flags[flags.index("--block-indices") + 1] == "6:12"
    # Without a layer count, the command reads the devnet's own tiny model spec (8 layers today).
    from devnet.models import TINY_BLOOM

    default = devnet_command(tmp_path / "state", python="python3")
    assert default[default.index("--serve") + 1] == f"0:{TINY_BLOOM.num_layers // 2}"
