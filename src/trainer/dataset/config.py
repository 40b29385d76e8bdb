"""The `prepare` parameters as one typed, validated object, read once at the edge.

The field names are the keys of the `prepare` section of `params.yaml`, so a DVC stage and
the `twinchat prepare` command read the same configuration. docs/dataset.md lists them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Writing systems that `keep_scripts` accepts. Each is the first word of the Unicode
# character name of its letters ("CYRILLIC SMALL LETTER A", "CJK UNIFIED IDEOGRAPH-4E00").
SCRIPTS = (
    "latin",
    "cyrillic",
    "greek",
    "armenian",
    "georgian",
    "hebrew",
    "arabic",
    "devanagari",
    "thai",
    "hangul",
    "hiragana",
    "katakana",
    "cjk",
)


class PrepareError(Exception):
    """An input or configuration problem the user can fix, with a message naming the fix."""


@dataclass(frozen=True)
class RedactConfig:
    """Switches for the redaction rules, each replacing its matches with a numbered placeholder."""

    email: bool = True
    phone: bool = True
    card: bool = True
    iban: bool = True
    ip: bool = True
    secret: bool = True
    code: bool = True
    name: bool = True
    persona_name: bool = False


@dataclass(frozen=True)
class PrepareConfig:
    """Parameters of one prepare run, explained in docs/dataset.md."""

    persona_ids: tuple[str, ...] = ()
    persona_name: str | None = None
    session_gap_seconds: float = 3600.0
    burst_gap_seconds: float = 600.0
    context_max_tokens: int = 512
    context_max_turns: int = 16
    target_max_tokens: int = 256
    require_reply: bool = True
    val_share: float = 0.1
    preview_examples: int = 20
    drop_forwarded: bool = True
    drop_bots: bool = True
    bot_author_ids: tuple[str, ...] = ()
    drop_link_only: bool = True
    drop_duplicates: bool = True
    max_message_chars: int = 2000
    keep_scripts: tuple[str, ...] = ()
    min_script_share: float = 0.5
    tokenizer: str | None = None
    redact: RedactConfig = field(default_factory=RedactConfig)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> PrepareConfig:
        """Build and validate a config from a `prepare` mapping, with defaults for missing keys.

        Raises PrepareError naming the first unknown key or invalid value.
        """
        values = dict(values or {})
        _reject_unknown(values, cls, "prepare")
        redact_values = redact_mapping(values.pop("redact", None))
        _reject_unknown(redact_values, RedactConfig, "prepare.redact")
        redact = RedactConfig(
            **{name: _as_bool(f"redact.{name}", value) for name, value in redact_values.items()}
        )
        converted = {name: _convert(name, value) for name, value in values.items()}
        config = cls(**converted, redact=redact)
        config.validate()
        return config

    def with_overrides(self, **changes: Any) -> PrepareConfig:
        """Return a validated copy with the given fields replaced."""
        converted = {
            name: value if name == "redact" else _convert(name, value)
            for name, value in changes.items()
        }
        config = dataclasses.replace(self, **converted)
        config.validate()
        return config

    def to_dict(self) -> dict[str, Any]:
        record = dataclasses.asdict(self)
        for name in ("persona_ids", "bot_author_ids", "keep_scripts"):
            record[name] = list(record[name])
        return record

    def validate(self) -> None:
        """Raise PrepareError for the first value outside its allowed range."""
        for name, allowed, expected in _RANGES:
            value = getattr(self, name)
            _check(allowed(value), name, value, expected)

        for script in self.keep_scripts:
            _check(script in SCRIPTS, "keep_scripts", script, f"one of {', '.join(SCRIPTS)}")
        for persona_id in self.persona_ids:
            _check(bool(persona_id.strip()), "persona_ids", persona_id, "non-empty author ids")


# Parameter name, test of an allowed value, and the expected range shown in the error.
_RANGES: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    ("session_gap_seconds", lambda value: value > 0, "a positive number of seconds, e.g. 3600"),
    (
        "burst_gap_seconds",
        lambda value: value >= 0,
        "zero or a positive number of seconds, e.g. 600",
    ),
    ("context_max_tokens", lambda value: value > 0, "a positive integer, e.g. 512"),
    ("context_max_turns", lambda value: value > 0, "a positive integer, e.g. 16"),
    ("target_max_tokens", lambda value: value > 0, "a positive integer, e.g. 256"),
    (
        "val_share",
        lambda value: 0 <= value < 1,
        "a fraction from 0 (no validation split) up to, but not including, 1",
    ),
    ("preview_examples", lambda value: value >= 0, "zero or a positive integer"),
    (
        "max_message_chars",
        lambda value: value >= 0,
        "zero (no limit) or a positive number of characters, e.g. 2000",
    ),
    (
        "min_script_share",
        lambda value: 0 < value <= 1,
        "a fraction above 0 and at most 1, e.g. 0.5",
    ),
)

_TYPES: dict[str, type] = {
    "session_gap_seconds": float,
    "burst_gap_seconds": float,
    "context_max_tokens": int,
    "context_max_turns": int,
    "target_max_tokens": int,
    "val_share": float,
    "preview_examples": int,
    "max_message_chars": int,
    "min_script_share": float,
}
_BOOLS = {"require_reply", "drop_forwarded", "drop_bots", "drop_link_only", "drop_duplicates"}
_LISTS = {"persona_ids", "bot_author_ids", "keep_scripts"}
_OPTIONAL_STRINGS = {"persona_name", "tokenizer"}


def parameter_names() -> list[str]:
    """Return the names `--set` accepts, with each redaction rule as `redact.RULE`."""
    names = [item.name for item in dataclasses.fields(PrepareConfig)]
    rules = [f"redact.{item.name}" for item in dataclasses.fields(RedactConfig)]
    return names + rules


def redact_mapping(value: Any) -> dict[str, Any]:
    """Expand a `redact` value into rule switches: a mapping, true, false or null.

    `true` and `false` switch every rule except `persona_name`, which stays off unless
    set by name because it removes the persona's own name. Null keeps the defaults.
    Raises PrepareError for any other value, listing the allowed forms.
    """
    if value is None:
        return {}
    if isinstance(value, bool):
        return {
            rule.name: value
            for rule in dataclasses.fields(RedactConfig)
            if rule.name != "persona_name"
        }
    if isinstance(value, Mapping):
        return dict(value)
    rules = ", ".join(rule.name for rule in dataclasses.fields(RedactConfig))
    raise PrepareError(
        f"invalid prepare.redact: {value!r}; expected true (every rule on), false (every rule "
        f"off) or a mapping of rules to true or false such as {{email: true, phone: false}}, "
        f"with the rules {rules}"
    )


def _reject_unknown(values: dict[str, Any], kind: type, section: str) -> None:
    known = [item.name for item in dataclasses.fields(kind)]
    for name in values:
        if name not in known:
            raise PrepareError(
                f"unknown parameter {section}.{name}; known parameters: {', '.join(known)}"
            )


def _convert(name: str, value: Any) -> Any:
    if name in _BOOLS:
        return _as_bool(name, value)
    if name in _LISTS:
        return _as_strings(name, value)
    if name in _OPTIONAL_STRINGS:
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        raise PrepareError(f"invalid {name}: {value!r}; expected a non-empty string or null")
    if name in _TYPES:
        return _as_number(name, value, _TYPES[name])
    raise PrepareError(f"unknown parameter prepare.{name}")


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise PrepareError(f"invalid {name}: {value!r}; expected true or false")


def _as_strings(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise PrepareError(f"invalid {name}: {value!r}; expected a list of strings")


def _as_number(name: str, value: Any, kind: type) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PrepareError(f"invalid {name}: {value!r}; expected a number")
    if kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise PrepareError(f"invalid {name}: {value!r}; expected a whole number")
        return int(value)
    return float(value)


def _check(condition: bool, name: str, value: Any, expected: str) -> None:
    if not condition:
        raise PrepareError(f"invalid {name}: {value!r}; expected {expected}")


def read_prepare_section(path: Path) -> dict[str, Any]:
    """Read the `prepare` section of a YAML parameters file such as DVC's params.yaml.

    A file without a `prepare` key is taken as the section itself. Raises PrepareError
    for a missing or malformed file.
    """
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PrepareError(f"cannot read the parameters file {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise PrepareError(f"{path} is not valid YAML: {error}") from error
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping):
        raise PrepareError(
            f"{path} must contain a mapping of parameters, not {type(loaded).__name__}"
        )
    section = loaded.get("prepare", loaded)
    if not isinstance(section, Mapping):
        raise PrepareError(f"the prepare section of {path} must be a mapping")
    return dict(section)


def apply_assignments(values: Mapping[str, Any], assignments: list[str]) -> dict[str, Any]:
    """Apply `KEY=VALUE` overrides, with VALUE parsed as YAML (`redact.email=false`).

    `redact=false` switches every rule, and a later `redact.NAME=...` changes one of them.
    """
    import yaml

    result = dict(values)
    for assignment in assignments:
        key, equals, raw = assignment.partition("=")
        key = key.strip()
        if not equals or not key:
            raise PrepareError(f"invalid --set {assignment!r}; write it as NAME=VALUE")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as error:
            raise PrepareError(f"invalid value in --set {assignment!r}: {error}") from error
        if key.startswith("redact."):
            rules = redact_mapping(result.get("redact"))
            rules[key.removeprefix("redact.")] = value
            result["redact"] = rules
        else:
            result[key] = value
    return result
