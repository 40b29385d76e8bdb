"""Compose the Hydra configs in `configs/` with command-line overrides, as `dvc exp run` does."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

CONFIG_NAME = "config"


class ConfigError(Exception):
    """An invalid override or config, with a one-line message that names the problem."""


def compose_config(overrides: Sequence[str] = (), config_dir: str | Path = "configs") -> DictConfig:
    """Compose `config_dir/config.yaml` with Hydra overrides and resolve interpolations.

    Raises ConfigError for a missing config folder, an override Hydra cannot parse or apply,
    or an interpolation that does not resolve.
    """
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    config_path = Path(config_dir).resolve()
    if not (config_path / f"{CONFIG_NAME}.yaml").is_file():
        raise ConfigError(
            f"{config_path / (CONFIG_NAME + '.yaml')} not found; run from the repository root "
            "or pass --config-dir"
        )
    try:
        with initialize_config_dir(config_dir=str(config_path), version_base="1.3"):
            cfg = compose(config_name=CONFIG_NAME, overrides=list(overrides))
        OmegaConf.resolve(cfg)
    except (HydraException, OmegaConfBaseException) as error:
        raise ConfigError(one_line(error)) from error
    return cfg


def one_line(error: BaseException) -> str:
    """Reduce a Hydra or OmegaConf error to one line: what failed, why, and Hydra's hint."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    message = lines[0].rstrip(".")
    cause = error.__cause__
    if cause is not None and str(cause).strip():
        message += ": " + str(cause).strip().splitlines()[0]
    options = _available_options(lines)
    if options:
        message += f"; available: {options}"
    hints = [line for line in lines[1:] if line.startswith("To ")]
    if hints:
        message += f" ({hints[0][0].lower()}{hints[0][1:]})"
    return message


def _available_options(lines: list[str]) -> str:
    """Return the options Hydra lists after "Available options in ...", comma-separated."""
    for index, line in enumerate(lines):
        if line.startswith("Available options"):
            options = []
            for option in lines[index + 1 :]:
                if option.startswith("Config search path"):
                    break
                options.append(option)
            return ", ".join(options)
    return ""
