"""The `twinchat serve`, `twinchat chat` and `twinchat token` commands."""

from __future__ import annotations

import json
import logging
import signal
import sys
from datetime import datetime

import click

from serving.settings import SamplingParams

logger = logging.getLogger(__name__)

DATABASE_URL_HELP = (
    "Database with the access tokens [env DATABASE_URL; default sqlite:///var/twinchat.db]."
)
TRACKING_URI_HELP = (
    "MLflow tracking and registry URI [env MLFLOW_TRACKING_URI; default sqlite:///mlflow.db]."
)


THREADS_HELP = (
    "CPU threads for torch [default: one per core]. On a machine shared with other busy "
    "processes, 1 avoids threads spin-waiting for each other."
)


def _interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt


def _set_threads(threads: int | None) -> None:
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


def _open_database(database_url: str | None):
    """Migrate the database to the current schema and return a session factory."""
    from datastore import (
        create_database_engine,
        database_url_from_env,
        make_session_factory,
        migrate,
    )

    url = database_url or database_url_from_env()
    try:
        migrate(url)
        return make_session_factory(create_database_engine(url))
    except ValueError as error:
        raise click.UsageError(str(error)) from error


def _settings(**values):
    from serving.settings import InvalidSettingError, SamplingParams, ServingSettings

    sampling_values = values.pop("sampling", {})
    try:
        sampling = SamplingParams().updated(sampling_values)
        return ServingSettings(sampling=sampling, **values).validate()
    except InvalidSettingError as error:
        raise click.UsageError(str(error)) from error


DEFAULT_SAMPLING = SamplingParams()


def sampling_options(function):
    """Add the options that override the default sampling settings."""
    options = [
        click.option(
            "--temperature",
            type=float,
            help=f"Sampling temperature; 0 is greedy. [default: {DEFAULT_SAMPLING.temperature}]",
        ),
        click.option(
            "--top-p",
            type=float,
            help=f"Nucleus sampling mass, in (0, 1]. [default: {DEFAULT_SAMPLING.top_p}]",
        ),
        click.option(
            "--top-k",
            type=int,
            help=f"Top-k sampling; 0 is off. [default: {DEFAULT_SAMPLING.top_k}]",
        ),
        click.option(
            "--max-tokens",
            type=int,
            help=f"Maximum new tokens per reply. [default: {DEFAULT_SAMPLING.max_new_tokens}]",
        ),
        click.option(
            "--repetition-penalty",
            type=float,
            help=f"Penalty for repeated tokens. [default: {DEFAULT_SAMPLING.repetition_penalty}]",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _sampling_values(temperature, top_p, top_k, max_tokens, repetition_penalty) -> dict:
    values = {
        "temperature": temperature,
        "top_p": top_p,
        "top_k": top_k,
        "max_new_tokens": max_tokens,
        "repetition_penalty": repetition_penalty,
    }
    return {key: value for key, value in values.items() if value is not None}


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
@click.option("--tracking-uri", envvar="MLFLOW_TRACKING_URI", help=TRACKING_URI_HELP)
@click.option("--database-url", envvar="DATABASE_URL", help=DATABASE_URL_HELP)
@click.option("--max-batch-size", default=8, show_default=True, help="Replies per batch.")
@click.option(
    "--batch-wait-ms",
    default=10.0,
    show_default=True,
    help="How long the first request of a batch waits for others, in milliseconds.",
)
@click.option(
    "--max-adapters",
    default=16,
    show_default=True,
    help="LoRA adapters kept attached per base model; the least recently used is evicted.",
)
@click.option(
    "--max-adapter-mib",
    type=click.FloatRange(min=0, min_open=True),
    help="Also evict adapters when their weights on one base model exceed this many MiB.",
)
@click.option(
    "--alias-ttl",
    default=5.0,
    show_default=True,
    help="Seconds a resolved alias is reused before the registry is asked again.",
)
@click.option(
    "--dtype",
    type=click.Choice(["float32", "bfloat16"]),
    default="float32",
    show_default=True,
    help="Weight type of the base models.",
)
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda or cuda:N.")
@click.option("--threads", type=click.IntRange(min=1), help=THREADS_HELP)
@click.option(
    "--preload",
    multiple=True,
    metavar="MODEL",
    help="Load this model (NAME@ALIAS or NAME/VERSION) before accepting requests; repeatable.",
)
@sampling_options
def serve(
    host: str,
    port: int,
    tracking_uri: str | None,
    database_url: str | None,
    max_batch_size: int,
    batch_wait_ms: float,
    max_adapters: int,
    max_adapter_mib: float | None,
    alias_ttl: float,
    dtype: str,
    device: str,
    threads: int | None,
    preload: tuple[str, ...],
    **sampling,
) -> None:
    """Serve registered models over an OpenAI-compatible HTTP API."""
    from werkzeug.serving import make_server

    from serving.api import create_app
    from serving.service import build_service

    _set_threads(threads)
    session_factory = _open_database(database_url)
    settings = _settings(
        tracking_uri=tracking_uri,
        max_batch_size=max_batch_size,
        batch_wait_ms=batch_wait_ms,
        max_adapters=max_adapters,
        max_adapter_bytes=int(max_adapter_mib * 2**20) if max_adapter_mib else None,
        alias_ttl_s=alias_ttl,
        dtype=dtype,
        device=device,
        sampling=_sampling_values(**sampling),
    )
    service = build_service(settings).start()
    try:
        for model in preload:
            _preload(service, model)
        # NOTE: werkzeug's threaded server has no TLS and no request limits besides the body
        # size. Put a reverse proxy in front of it when it faces the internet.
        try:
            server = make_server(host, port, create_app(service, session_factory), threaded=True)
        except OSError as error:
            raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from error
        click.echo(f"serving on http://{host}:{server.server_port} (Ctrl+C to stop)", err=True)
        logger.info("serving on %s:%d", host, server.server_port)
        # Container runtimes and service managers stop a server with SIGTERM; treating it
        # like Ctrl+C closes the socket and the batcher before exiting.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            # Returns on Ctrl+C or SIGTERM, because werkzeug catches KeyboardInterrupt.
            server.serve_forever()
        finally:
            server.server_close()
            logger.info("server stopped")
    finally:
        service.close()


def _preload(service, model: str) -> None:
    """Load a model's base model and adapter with a one-token reply, or exit with the error."""
    from serving.errors import ModelLoadError, ModelNotFoundError
    from serving.prompts import ChatMessage

    try:
        persona = service.resolve(model)
        service.submit(persona, [ChatMessage("user", "hi")], {"max_new_tokens": 1}).result(600)
    except (ModelNotFoundError, ModelLoadError) as error:
        raise click.ClickException(f"cannot preload {model}: {error}") from error
    logger.info("preloaded %s/%d", persona.name, persona.version)


@click.command()
@click.option("--model", "model", required=True, help="NAME@ALIAS, NAME/VERSION or NAME.")
@click.option("--tracking-uri", envvar="MLFLOW_TRACKING_URI", help=TRACKING_URI_HELP)
@click.option("--name", "speaker", help="Your name as the persona sees it.")
@click.option("--seed", type=int, help="Random seed, for repeatable replies.")
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda or cuda:N.")
@click.option("--threads", type=click.IntRange(min=1), help=THREADS_HELP)
@sampling_options
def chat(
    model: str,
    tracking_uri: str | None,
    speaker: str | None,
    seed: int | None,
    device: str,
    threads: int | None,
    **sampling,
):
    """Chat with a registered model in the terminal (no token needed on this machine)."""
    from serving.chat import run_chat
    from serving.errors import ModelLoadError, ModelNotFoundError
    from serving.service import build_service

    _set_threads(threads)
    overrides = _sampling_values(**sampling)
    if seed is not None:
        overrides["seed"] = seed
    settings = _settings(
        tracking_uri=tracking_uri, max_batch_size=1, batch_wait_ms=0.0, device=device
    )
    with build_service(settings) as service:
        try:
            run_chat(
                service,
                model,
                sys.stdin,
                sys.stdout,
                speaker=speaker,
                overrides=overrides,
                interactive=sys.stdin.isatty(),
            )
        except (ModelNotFoundError, ModelLoadError) as error:
            raise click.ClickException(str(error)) from error


@click.group()
def token() -> None:
    """Create, list and revoke access tokens for registered models."""


@token.command("create")
@click.option("--model", "model", required=True, help="The registered model's name.")
@click.option("--name", "label", default="", help="A label to tell tokens apart, e.g. 'phone'.")
@click.option(
    "--expires-in",
    default="90d",
    show_default=True,
    help="Lifetime: a number with s, m, h, d or w (30d, 12h), or 'never'.",
)
@click.option("--database-url", envvar="DATABASE_URL", help=DATABASE_URL_HELP)
def create_command(model: str, label: str, expires_in: str, database_url: str | None) -> None:
    """Create a token for one model and print it once."""
    from datastore.tokens import create_token, parse_duration
    from serving.errors import ModelNotFoundError
    from serving.registry_cache import parse_model_field

    try:
        lifetime = parse_duration(expires_in)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--expires-in") from error
    try:
        name = parse_model_field(model).name
    except ModelNotFoundError as error:
        raise click.BadParameter(str(error), param_hint="--model") from error
    session_factory = _open_database(database_url)
    with session_factory() as session:
        secret, row = create_token(session, name, name=label, expires_in=lifetime)
        session.commit()
    expiry = row.expires_at.isoformat(timespec="seconds") if row.expires_at else "never"
    click.echo(f"Created token {row.id} for model {name} (expires {expiry}).", err=True)
    click.echo("Copy it now; it is stored only as a hash and cannot be shown again.", err=True)
    click.echo(secret)


@token.command("list")
@click.option("--model", "model", help="Only tokens for this registered model.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--database-url", envvar="DATABASE_URL", help=DATABASE_URL_HELP)
def list_command(model: str | None, as_json: bool, database_url: str | None) -> None:
    """List tokens without their secret values."""
    from datastore.tokens import list_tokens, token_state
    from serving.errors import ModelNotFoundError
    from serving.registry_cache import parse_model_field

    model_name = None
    if model:
        # Tokens belong to a model name, so NAME@ALIAS and NAME/VERSION filter by NAME.
        try:
            model_name = parse_model_field(model).name
        except ModelNotFoundError as error:
            raise click.BadParameter(str(error), param_hint="--model") from error
    session_factory = _open_database(database_url)
    with session_factory() as session:
        rows = [
            {
                "id": row.id,
                "name": row.name,
                "model": row.model.name,
                "prefix": row.display_prefix + "…",
                "created": _time(row.created_at),
                "expires": _time(row.expires_at) or "never",
                "last_used": _time(row.last_used_at) or "never",
                "state": token_state(row),
            }
            for row in list_tokens(session, model_name=model_name)
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No tokens.", err=True)
        return
    _print_table(rows)


@token.command("revoke")
@click.argument("token_id", type=int)
@click.option("--database-url", envvar="DATABASE_URL", help=DATABASE_URL_HELP)
def revoke_command(token_id: int, database_url: str | None) -> None:
    """Revoke the token with id TOKEN_ID (see `twinchat token list`)."""
    from datastore.models import AccessToken
    from datastore.tokens import TokenNotFoundError, revoke_token

    session_factory = _open_database(database_url)
    with session_factory() as session:
        existing = session.get(AccessToken, token_id)
        if existing is not None and existing.revoked:
            click.echo(
                f"Token {existing.id} ({existing.name or 'unnamed'}) was already revoked at "
                f"{_time(existing.revoked_at)}; nothing changed."
            )
            return
        try:
            row = revoke_token(session, token_id)
        except TokenNotFoundError as error:
            raise click.ClickException(str(error)) from error
        session.commit()
        click.echo(f"Revoked token {row.id} ({row.name or 'unnamed'}) for model {row.model.name}.")


def _time(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def _print_table(rows: list[dict]) -> None:
    columns = list(rows[0])
    widths = {
        column: max(len(column), *(len(str(row[column])) for row in rows)) for column in columns
    }
    click.echo("  ".join(column.ljust(widths[column]) for column in columns).rstrip())
    for row in rows:
        click.echo("  ".join(str(row[column]).ljust(widths[column]) for column in columns).rstrip())
