"""The node's and the desktop app's settings: one versioned model, four sources, one merge.

Sources, lowest precedence first: the settings file in the OS config folder (JSON, written atomically,
what the desktop app edits) → a ``.env`` file (the original node's way) → the process environment →
command-line flags. Names are the original node's (``MODEL_NAME``, ``PLUMISE_RPC_URL``, …); settings
the original did not have use a ``PLUMISE_`` prefix.

The private key (``PLUMISE_PRIVATE_KEY``) is for headless use only: it is read from ``.env`` or the
environment, kept in a :class:`Secret` that never prints, and never written to the settings file.

A settings file that cannot be read is moved aside (``settings.json.corrupt-<timestamp>``) and reported
as a warning the UI or the CLI shows; invalid values in it fall back to their defaults, also reported.
Invalid values from ``.env``, the environment or flags raise :class:`SettingsError`, whose message
names the field, the source, what is wrong and what is allowed.

Typical use (the CLI)::

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    loaded = settings_from_args(parser.parse_args())
    for warning in loaded.warnings: print(warning)
    loaded.settings.rpc_url  # effective value: explicit or the network preset's
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

from chain.files import atomic_write_text

SCHEMA_VERSION = 1
APP_NAME = "plumise-petals"
SETTINGS_FILENAME = "settings.json"
DEFAULT_STATUS_PORT = 31331  # 31330 is the libp2p port
DEFAULT_PETALS_PORT = 31330
DEFAULT_MODEL = "bigscience/bloom-560m"

NETWORKS = ("mainnet", "local", "devnet")
MODEL_TIERS = ("auto", "lite", "standard", "pro", "ultra")
DEVICES = ("auto", "cpu", "cuda", "mps")
LANGUAGES = ("auto", "en", "ko")


@dataclasses.dataclass(frozen=True)
class NetworkPreset:
    """Endpoints a network preset implies; an explicit setting overrides each one."""

    rpc_url: Optional[str]
    oracle_url: Optional[str]
    chain_id: int
    agent_registry_address: Optional[str]
    reward_pool_address: str


# PROTOCOL.md §1. The devnet's URLs exist only once the app has started it (ports are chosen then),
# so they stay None here and the devnet starter fills them in with Settings.replace().
PRESETS: dict[str, NetworkPreset] = {
    "mainnet": NetworkPreset(
        "https://plug.plumise.com/rpc",
        "https://plug.plumise.com/oracle",
        41956,
        "0xC9CF64344D22f02f6cDB8e7B5349f30E09F9043C",
        "0x0000000000000000000000000000000000001000",
    ),
    "local": NetworkPreset(
        "http://localhost:26902", "http://localhost:15481", 41956, None, "0x0000000000000000000000000000000000001000"
    ),
    "devnet": NetworkPreset(None, None, 41956, None, "0x0000000000000000000000000000000000001000"),
}


class Secret:
    """A string that never shows itself in ``repr``/``str``/f-strings/logs; :meth:`reveal` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self):  # pickling would write the key to wherever the pickle goes
        raise TypeError("a Secret cannot be pickled")


class SettingsError(ValueError):
    """One or more settings are invalid. ``problems`` holds one sentence per field."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --------------------------------------------------------------------------------------------------
# Field table: one row per setting says its env name, flag, type, default, check and help.
# --------------------------------------------------------------------------------------------------

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_DHT_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class _Invalid(ValueError):
    """Raised by a converter; the message says what is wrong and what is allowed."""


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise _Invalid(f"{raw!r} is not yes or no; use true/false, yes/no, on/off or 1/0")


def _int_between(lo: Optional[int], hi: Optional[int], what: str) -> Callable[[Any], int]:
    def convert(raw: Any) -> int:
        if isinstance(raw, bool):
            raise _Invalid(f"{raw!r} is not a whole number; use {what}")
        if isinstance(raw, int):
            value = raw
        else:
            text = str(raw).strip().replace("_", "")
            if not re.fullmatch(r"[+-]?\d+", text):
                raise _Invalid(f"{raw!r} is not a whole number; use {what}")
            value = int(text)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise _Invalid(f"{value} is out of range; use {what}")
        return value

    return convert


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(raw: Any) -> Any:
        if raw is None or (isinstance(raw, str) and raw.strip() in ("", "auto", "none")):
            return None
        return convert(raw)

    return wrapped


def _choice(options: Sequence[str]) -> Callable[[Any], str]:
    def convert(raw: Any) -> str:
        text = str(raw).strip().lower()
        if text not in options:
            raise _Invalid(f"{raw!r} is not one of the choices; use one of: {', '.join(options)}")
        return text

    return convert


def _url(raw: Any) -> str:
    text = str(raw).strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", text):
        raise _Invalid(f"{raw!r} is not a web address; use one like http://localhost:26902 or https://host/path")
    return text


def _address(raw: Any) -> str:
    text = str(raw).strip()
    if not _ADDRESS.fullmatch(text):
        raise _Invalid(f"{raw!r} is not an address; use 0x followed by 40 hexadecimal digits")
    return text


def _host(raw: Any) -> str:
    text = str(raw).strip()
    if not text or any(c.isspace() for c in text) or "/" in text:
        raise _Invalid(f"{raw!r} is not a host; use an IP address such as 0.0.0.0 or 127.0.0.1")
    return text


def _text(raw: Any) -> str:
    text = str(raw).strip()
    if not text:
        raise _Invalid("it is empty; give a value or remove the setting")
    return text


def _dht_prefix(raw: Any) -> str:
    text = str(raw).strip()
    if not _DHT_PREFIX.fullmatch(text):
        raise _Invalid(f"{raw!r} is not a DHT prefix; use letters, digits, '-', '_' or '.' (at most 128)")
    return text


def _peers(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        items = [p for p in re.split(r"[\s,]+", raw.strip()) if p]
    elif isinstance(raw, (list, tuple)):
        items = [str(p).strip() for p in raw if str(p).strip()]
    else:
        raise _Invalid(f"{raw!r} is not a list of peers; use multiaddresses separated by commas or spaces")
    for item in items:
        if not item.startswith("/") or "/p2p/" not in item:
            raise _Invalid(
                f"{item!r} is not a peer address; use a multiaddress like /ip4/1.2.3.4/tcp/31330/p2p/Qm…"
            )
    return tuple(items)


def _model(raw: Any) -> str:
    text = str(raw).strip()
    # A Hugging Face id ("org/name") or a local folder; folders are checked when serving starts.
    if not text or any(c.isspace() for c in text):
        raise _Invalid(f"{raw!r} is not a model; use a Hugging Face id like bigscience/bloom-560m or a folder")
    return text


def _key(raw: Any) -> Secret:
    text = raw.reveal() if isinstance(raw, Secret) else str(raw).strip()
    if not _KEY.fullmatch(text):
        # Never echo the value: it may be a real key with a typo.
        raise _Invalid("the private key is not 64 hexadecimal digits (with or without 0x); check it was copied whole")
    return Secret(text if text.startswith("0x") else "0x" + text)


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str  # attribute name, also the key in the settings file
    env: Optional[str]  # variable name in .env / environment
    flag: Optional[str]  # command-line flag
    convert: Callable[[Any], Any]
    default: Any
    help: str
    persist: bool = True  # written to the settings file
    kind: str = "value"  # "value", "bool", "list" (argparse shape)


_FIELDS: tuple[_Field, ...] = (
    _Field("network", "PLUMISE_NETWORK", "--network", _choice(NETWORKS), "mainnet",
           "network preset: mainnet (public endpoints), local (chain :26902, oracle :15481), devnet (embedded)"),
    _Field("rpc_url", "PLUMISE_RPC_URL", "--rpc-url", _optional(_url), None, "Plumise chain RPC (default: preset's)"),
    _Field("chain_id", "PLUMISE_CHAIN_ID", "--chain-id", _optional(_int_between(1, 2**53, "a positive chain id such as 41956")),
           None, "expected chain id (default: preset's)"),
    _Field("oracle_url", "ORACLE_API_URL", "--oracle-url", _optional(_url), None, "Plumise oracle URL (default: preset's)"),
    _Field("agent_registry_address", "AGENT_REGISTRY_ADDRESS", "--agent-registry-address", _optional(_address), None,
           "AgentRegistry contract (optional; default: preset's)"),
    _Field("reward_pool_address", "REWARD_POOL_ADDRESS", "--reward-pool-address", _optional(_address), None,
           "RewardPool contract (default: 0x…1000)"),
    _Field("report_interval", "REPORT_INTERVAL", "--report-interval",
           _int_between(10, 3600, "a number of seconds from 10 to 3600"), 60, "seconds between oracle reports"),
    _Field("model_name", "MODEL_NAME", "--model", _optional(_model), None,
           "Hugging Face model id or folder to serve (default: chosen by the model tier)"),
    _Field("model_tier", "PLUMISE_MODEL_TIER", "--model-tier", _choice(MODEL_TIERS), "auto",
           "auto (from this computer's hardware), lite, standard, pro or ultra"),
    _Field("num_blocks", "NUM_BLOCKS", "--num-blocks", _optional(_int_between(1, 1000, "a number of blocks from 1 up")),
           None, "transformer blocks to serve (default: as many as fit the memory)"),
    _Field("block_indices", "PLUMISE_BLOCK_INDICES", "--block-indices", _optional(lambda r: _block_range(r)), None,
           'explicit block range "start:end" (end exclusive); overrides the number of blocks'),
    _Field("petals_host", "PETALS_HOST", "--host", _host, "0.0.0.0", "address the Petals server listens on"),
    _Field("petals_port", "PETALS_PORT", "--port", _int_between(0, 65535, "a port from 1 to 65535 (0: any free port)"),
           DEFAULT_PETALS_PORT, "Petals (libp2p) listen port"),
    _Field("announce_host", "PLUMISE_ANNOUNCE_HOST", "--announce-host", _optional(_host), None,
           "public IP other peers should dial (default: what the swarm sees)"),
    _Field("initial_peers", "PLUMISE_INITIAL_PEERS", "--initial-peers", _peers, (),
           "multiaddresses of swarm peers to join through", kind="list"),
    _Field("dht_prefix", "PLUMISE_DHT_PREFIX", "--dht-prefix", _optional(_dht_prefix), None,
           "DHT prefix of the model in the swarm (default: from the model)"),
    # 0 = any free port (tests, local swarms, several nodes on one computer); the node announces the URL it got
    # in its "starting" event, but `plumise-petals status` can only find a node on a fixed port.
    _Field("status_port", "PLUMISE_STATUS_PORT", "--status-port",
           _int_between(0, 65535, "a port from 1 to 65535 (0: any free port)"), DEFAULT_STATUS_PORT,
           "local status API port (127.0.0.1; 0: any free port)"),
    _Field("claim_threshold_wei", "CLAIM_THRESHOLD_WEI", "--claim-threshold-wei",
           _int_between(0, 10**30, "a whole number of wei (1 PLM = 10^18 wei)"), 10**18, "auto-claim threshold in wei"),
    _Field("auto_claim", "PLUMISE_AUTO_CLAIM", "--auto-claim", _to_bool, True, "claim automatically at the threshold",
           kind="bool"),
    _Field("agent_address", "PLUMISE_AGENT_ADDRESS", "--address", _optional(_address), None,
           "wallet address for a read-only status (no key needed)"),
    _Field("device", "PLUMISE_DEVICE", "--device", _choice(DEVICES), "auto", "auto, cpu, cuda or mps"),
    _Field("cpu_threads", "PLUMISE_CPU_THREADS", "--cpu-threads",
           _optional(_int_between(1, 1024, "a number of threads from 1 up (or auto)")), None,
           "limit on CPU threads used for compute (default: all)"),
    _Field("model_cache_dir", "PLUMISE_MODEL_CACHE_DIR", "--model-cache-dir", _optional(_text), None,
           "where downloaded model files are kept"),
    # The desktop app's settings: no flags, but env names so a headless user can set them too.
    _Field("autostart", "PLUMISE_AUTOSTART", None, _to_bool, False, "start with the session", kind="bool"),
    _Field("pause_on_battery", "PLUMISE_PAUSE_ON_BATTERY", None, _to_bool, True, "pause on battery", kind="bool"),
    _Field("pause_while_in_use", "PLUMISE_PAUSE_WHILE_IN_USE", None, _to_bool, False,
           "pause while the computer is in use", kind="bool"),
    _Field("idle_minutes", "PLUMISE_IDLE_MINUTES", None, _int_between(1, 240, "a number of minutes from 1 to 240"), 3,
           "minutes without input before resuming"),
    _Field("language", "PLUMISE_LANGUAGE", None, _choice(LANGUAGES), "auto", "interface language"),
    _Field("private_key", "PLUMISE_PRIVATE_KEY", None, _optional(_key), None,
           "headless only: the agent wallet's key (never saved to the settings file)", persist=False),
)
_BY_NAME = {f.name: f for f in _FIELDS}
_BY_ENV = {f.env: f for f in _FIELDS if f.env}


def _block_range(raw: Any) -> str:
    text = str(raw).strip()
    m = re.fullmatch(r"(\d+):(\d+)", text)
    if not m or int(m.group(1)) >= int(m.group(2)):
        raise _Invalid(f"{raw!r} is not a block range; use start:end with start < end, e.g. 0:4")
    return text


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting, validated. ``None`` means "use the preset's / choose automatically"."""

    network: str = "mainnet"
    rpc_url: Optional[str] = None
    chain_id: Optional[int] = None
    oracle_url: Optional[str] = None
    agent_registry_address: Optional[str] = None
    reward_pool_address: Optional[str] = None
    report_interval: int = 60
    model_name: Optional[str] = None
    model_tier: str = "auto"
    num_blocks: Optional[int] = None
    block_indices: Optional[str] = None
    petals_host: str = "0.0.0.0"
    petals_port: int = DEFAULT_PETALS_PORT
    announce_host: Optional[str] = None
    initial_peers: tuple[str, ...] = ()
    dht_prefix: Optional[str] = None
    status_port: int = DEFAULT_STATUS_PORT
    claim_threshold_wei: int = 10**18
    auto_claim: bool = True
    agent_address: Optional[str] = None
    device: str = "auto"
    cpu_threads: Optional[int] = None
    model_cache_dir: Optional[str] = None
    autostart: bool = False
    pause_on_battery: bool = True
    pause_while_in_use: bool = False
    idle_minutes: int = 3
    language: str = "auto"
    private_key: Optional[Secret] = dataclasses.field(default=None, repr=False, compare=False)

    # ---- effective values: explicit setting, else the network preset's ----
    @property
    def preset(self) -> NetworkPreset:
        return PRESETS[self.network]

    @property
    def effective_rpc_url(self) -> Optional[str]:
        return self.rpc_url or self.preset.rpc_url

    @property
    def effective_oracle_url(self) -> Optional[str]:
        return self.oracle_url or self.preset.oracle_url

    @property
    def effective_chain_id(self) -> int:
        return self.chain_id if self.chain_id is not None else self.preset.chain_id

    @property
    def effective_agent_registry_address(self) -> Optional[str]:
        return self.agent_registry_address or self.preset.agent_registry_address

    @property
    def effective_reward_pool_address(self) -> str:
        return self.reward_pool_address or self.preset.reward_pool_address

    def replace(self, **changes: Any) -> "Settings":
        """A copy with ``changes`` applied and validated (raises :class:`SettingsError`)."""
        problems: list[str] = []
        values = {}
        for name, raw in changes.items():
            field = _BY_NAME.get(name)
            if field is None:
                raise SettingsError([f"{name}: there is no such setting"])
            try:
                values[name] = field.convert(raw)
            except _Invalid as exc:
                problems.append(_problem(field, "a change", str(exc)))
        if problems:
            raise SettingsError(problems)
        return _checked(dataclasses.replace(self, **values), "a change")

    def to_file_dict(self) -> dict[str, Any]:
        """What the settings file holds: every persisted field plus the schema version (never the key)."""
        out: dict[str, Any] = {"version": SCHEMA_VERSION}
        for field in _FIELDS:
            if field.persist:
                value = getattr(self, field.name)
                out[field.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclasses.dataclass
class LoadedSettings:
    """The merged settings, the warnings to show a person, and where each non-default value came from."""

    settings: Settings
    warnings: list[str] = dataclasses.field(default_factory=list)
    sources: dict[str, str] = dataclasses.field(default_factory=dict)
    settings_path: Optional[Path] = None


def _problem(field: _Field, source: str, what: str) -> str:
    label = field.env or field.name
    if field.flag:
        label += f" ({field.flag})"
    return f"{label} from {source}: {what}."


def _checked(settings: Settings, source: str) -> Settings:
    """Checks that involve more than one field."""
    problems = []
    if settings.num_blocks is not None and settings.block_indices is not None:
        problems.append(
            f"NUM_BLOCKS and PLUMISE_BLOCK_INDICES from {source}: both are set; set only one "
            "(a number of blocks, or an explicit range)."
        )
    if settings.status_port == settings.petals_port and settings.petals_port != 0:
        problems.append(
            f"PLUMISE_STATUS_PORT from {source}: {settings.status_port} is also the Petals port; "
            "use two different ports (defaults: Petals 31330, status 31331)."
        )
    if problems:
        raise SettingsError(problems)
    return settings


# --------------------------------------------------------------------------------------------------
# The settings file: location, atomic write, corruption handling, schema migrations
# --------------------------------------------------------------------------------------------------


def default_settings_path() -> Path:
    """``$PLUMISE_SETTINGS_FILE`` or ``settings.json`` in the OS config folder (platformdirs)."""
    explicit = os.environ.get("PLUMISE_SETTINGS_FILE")
    if explicit:
        return Path(explicit)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / SETTINGS_FILENAME


def _migrate_v0(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0: an unversioned file keyed by the original node's environment names (``MODEL_NAME`` …)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = _BY_ENV.get(key) or _BY_NAME.get(key)
        if field is not None:
            out[field.name] = value
        else:
            out[key] = value  # kept so the unknown-key warning names it
    return out


# from-version -> function returning the next version's dict
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_v0}


def _timestamp() -> str:
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _move_aside(path: Path, why: str) -> Path:
    target = path.with_name(f"{path.name}.corrupt-{_timestamp()}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{_timestamp()}-{n}")
        n += 1
    os.replace(path, target)
    return target


def save_settings(settings: Settings, path: Optional[Path] = None) -> Path:
    """Write the persisted fields (never the private key) atomically; returns the path."""
    path = Path(path) if path is not None else default_settings_path()
    atomic_write_text(path, json.dumps(settings.to_file_dict(), indent=2, sort_keys=True) + "\n")
    return path


def _read_file(path: Path, warnings: list[str]) -> dict[str, Any]:
    """The file's values by attribute name, migrated and checked; problems become warnings."""
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        warnings.append(f"The settings file {path} could not be read ({exc.strerror}); defaults are used.")
        return {}
    try:
        data = json.loads(raw_text)
        if not isinstance(data, dict):
            raise ValueError("it does not hold a JSON object")
    except ValueError as exc:
        moved = _move_aside(path, str(exc))
        warnings.append(
            f"The settings file {path} was damaged ({exc}); it was moved to {moved.name} and defaults are used. "
            "Check your settings and save them again."
        )
        return {}
    version = data.pop("version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        moved = _move_aside(path, "bad version")
        warnings.append(
            f"The settings file {path} has an unreadable version {version!r}; it was moved to {moved.name} "
            "and defaults are used."
        )
        return {}
    if version > SCHEMA_VERSION:
        warnings.append(
            f"The settings file {path} was written by a newer version of Plumise Petals (schema {version}, "
            f"this one reads {SCHEMA_VERSION}); the settings this version knows are used."
        )
    while version < SCHEMA_VERSION:
        data = _MIGRATIONS[version](data)
        version += 1

    values: dict[str, Any] = {}
    bad: list[str] = []
    for key, raw in data.items():
        field = _BY_NAME.get(key)
        if field is None:
            warnings.append(f"The settings file has an unknown setting {key!r}; it is ignored.")
            continue
        if not field.persist:
            warnings.append(
                f"The settings file {path} holds {field.env}; a private key is never read from the settings file. "
                "Remove it from that file and use the wallet (or a .env file readable only by you)."
            )
            continue
        try:
            values[key] = field.convert(raw)
        except _Invalid as exc:
            bad.append(f"{key}: {exc}")
    if bad:
        # Keep the person's file (it may hold a value they want back) and repair the live one.
        backup = path.with_name(f"{path.name}.corrupt-{_timestamp()}")
        backup.write_bytes(path.read_bytes())
        warnings.append(
            f"Some settings in {path} were invalid and were reset to their defaults ({'; '.join(bad)}). "
            f"The original file was kept as {backup.name}."
        )
    return values


# --------------------------------------------------------------------------------------------------
# .env, environment, flags
# --------------------------------------------------------------------------------------------------


def _read_env_file(path: Path, warnings: list[str]) -> dict[str, str]:
    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    if "PLUMISE_PRIVATE_KEY" in values and os.name == "posix":
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            warnings.append(
                f"{path} holds PLUMISE_PRIVATE_KEY and other users of this computer can read it "
                f"(permissions {stat.filemode(mode)}). Run: chmod 600 {path}"
            )
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per setting that has one, plus ``--settings-file`` and ``--env-file``.

    Every flag defaults to ``None`` so that an absent flag never overrides a lower source.
    ``--private-key`` exists only to refuse politely: a key on the command line is visible to other users.
    """
    group = parser.add_argument_group("settings (override the settings file, .env and environment)")
    for field in _FIELDS:
        if not field.flag:
            continue
        dest = f"setting_{field.name}"
        if field.kind == "bool":
            group.add_argument(field.flag, dest=dest, action=argparse.BooleanOptionalAction, default=None,
                               help=f"{field.help} [{field.env}]")
        elif field.kind == "list":
            group.add_argument(field.flag, dest=dest, nargs="*", default=None, help=f"{field.help} [{field.env}]")
        else:
            group.add_argument(field.flag, dest=dest, default=None, help=f"{field.help} [{field.env}]")
    group.add_argument("--settings-file", dest="settings_file", default=None,
                       help="settings file to read (default: the OS config folder's)")
    group.add_argument("--env-file", dest="env_file", default=None, help="a .env file to read (default: ./.env)")
    group.add_argument("--private-key", dest="refused_private_key", default=None, help=argparse.SUPPRESS)


def flag_values(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given as flags in ``args`` (absent flags left out)."""
    out = {}
    for field in _FIELDS:
        value = getattr(args, f"setting_{field.name}", None)
        if value is not None:
            out[field.name] = value
    return out


def load_settings(
    *,
    settings_path: Optional[Path] = None,
    env_file: Optional[Path] = None,
    environ: Optional[Mapping[str, str]] = None,
    flags: Optional[Mapping[str, Any]] = None,
) -> LoadedSettings:
    """Merge file < ``.env`` < environment < flags into validated :class:`Settings`.

    ``env_file`` defaults to ``./.env`` when it exists; ``environ`` to ``os.environ``; ``flags`` are
    attribute-name keyed values (see :func:`flag_values`). Raises :class:`SettingsError` listing every
    invalid value from ``.env``, the environment or flags; file problems become warnings instead.
    """
    warnings: list[str] = []
    sources: dict[str, str] = {}
    path = Path(settings_path) if settings_path is not None else default_settings_path()
    values: dict[str, Any] = {}
    for name, value in _read_file(path, warnings).items():
        values[name] = value
        sources[name] = f"settings file {path}"

    problems: list[str] = []

    def take(name_or_env: Mapping[str, Any], source: str, keyed_by_env: bool) -> None:
        for key, raw in name_or_env.items():
            field = (_BY_ENV if keyed_by_env else _BY_NAME).get(key)
            if field is None:
                continue
            try:
                values[field.name] = field.convert(raw)
                sources[field.name] = source
            except _Invalid as exc:
                problems.append(_problem(field, source, str(exc)))

    env_path = Path(env_file) if env_file is not None else Path.cwd() / ".env"
    if env_path.is_file():
        take(_read_env_file(env_path, warnings), f".env file {env_path}", keyed_by_env=True)
    elif env_file is not None:
        problems.append(f"--env-file: {env_path} does not exist; give the path of an existing .env file.")
    take(os.environ if environ is None else environ, "the environment", keyed_by_env=True)
    if flags:
        take(flags, "the command line", keyed_by_env=False)
    if problems:
        raise SettingsError(problems)
    settings = _checked(Settings(**values), "the merged settings")
    return LoadedSettings(settings=settings, warnings=warnings, sources=sources, settings_path=path)


def settings_from_args(args: argparse.Namespace, environ: Optional[Mapping[str, str]] = None) -> LoadedSettings:
    """:func:`load_settings` driven by a namespace parsed with a parser given :func:`add_arguments`."""
    if getattr(args, "refused_private_key", None) is not None:
        raise SettingsError([
            "--private-key: a key on the command line can be read by other users of this computer; "
            "put PLUMISE_PRIVATE_KEY in a .env file readable only by you (chmod 600), or pass it with --key-stdin."
        ])
    return load_settings(
        settings_path=getattr(args, "settings_file", None),
        env_file=getattr(args, "env_file", None),
        environ=environ,
        flags=flag_values(args),
    )


def field_names() -> list[str]:
    """Attribute names of all settings, in table order (for the UI and docs)."""
    return [f.name for f in _FIELDS]


def env_names() -> dict[str, str]:
    """Attribute name → environment variable name."""
    return {f.name: f.env for f in _FIELDS if f.env}
