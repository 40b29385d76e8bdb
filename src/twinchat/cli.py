"""The `twinchat` command: one entry point whose subcommands live in each unit's package.

Subcommands are imported only when invoked, so `twinchat ingest` never pays for torch.
"""

import importlib
import logging
import sys

import click

from twinchat import __version__
from twinchat.env import apply_offline_defaults

# command name -> ("module:attribute" of a click command, short help shown by --help)
COMMANDS = {
    "ingest": ("trainer.ingest.cli:ingest", "Parse chat exports into normalized messages."),
    "participants": ("trainer.ingest.cli:participants", "List who wrote in the exports."),
    "prepare": ("trainer.dataset.cli:prepare", "Build the persona's dialogue dataset."),
    "train": ("trainer.cli:train", "Run the training pipeline with Hydra overrides."),
    "chat": ("serving.cli:chat", "Chat with a registered model in the terminal."),
    "serve": ("serving.cli:serve", "Serve registered models over an HTTP API."),
    "token": ("serving.cli:token", "Create, list and revoke access tokens."),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short_help) for name, (_, short_help) in sorted(COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="twinchat")
@click.option("-v", "--verbose", count=True, help="Log more: -v for INFO, -vv for DEBUG.")
def cli(verbose: int) -> None:
    """Turn a person's chat history into a chatbot that writes like them."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(args: list[str] | None = None) -> None:
    """Run `twinchat`, printing a usage error as one `error:` line with exit status 2.

    `args` defaults to the command line. This always ends with SystemExit.
    """
    apply_offline_defaults()
    try:
        result = cli.main(args=args, prog_name="twinchat", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        # `twinchat` or a group without arguments prints its help, as click does.
        error.show()
        sys.exit(error.exit_code)
    except click.UsageError as error:
        click.echo(f"error: {_usage_message(error)}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        click.echo(f"error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    # Without standalone mode, click returns the status of `--help`, `--version` and
    # ctx.exit() as an int; commands here return None.
    sys.exit(result if isinstance(result, int) else 0)


def _usage_message(error: click.UsageError) -> str:
    """Return the error on one line, with the command whose --help explains the usage."""
    message = " ".join(error.format_message().split())
    if error.ctx is None:
        return message
    if not message.endswith((".", "?", "!")):
        message += "."
    return f"{message} Run '{error.ctx.command_path} --help' for usage."
