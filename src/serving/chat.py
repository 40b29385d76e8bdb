"""A terminal chat with one registered model, run on this machine without a token.

Each input line is one of your messages. The persona's messages are printed as they are
generated, with a blank line between the messages of one burst. `/reset` starts a new
conversation, and `/quit` or the end of input leaves. Input may be piped.
"""

from __future__ import annotations

import logging
from typing import Any, TextIO

from serving.errors import ModelLoadError, ReplyTimeoutError
from serving.prompts import ChatMessage
from serving.service import ChatService, Reply
from serving.settings import InvalidSettingError

logger = logging.getLogger(__name__)

RESET_COMMAND = "/reset"
QUIT_COMMAND = "/quit"


def run_chat(
    service: ChatService,
    model: str,
    input_stream: TextIO,
    output: TextIO,
    speaker: str | None = None,
    overrides: dict[str, Any] | None = None,
    interactive: bool = False,
) -> int:
    """Chat until /quit or end of input; return the number of replies generated.

    The model is resolved again for every reply, so a moved alias takes effect mid-chat.
    """
    history: list[ChatMessage] = []
    replies = 0
    persona = service.resolve(model)
    if interactive:
        output.write(
            f"Chatting with {persona.persona} ({persona.name}/{persona.version}). "
            f"{RESET_COMMAND} starts over, {QUIT_COMMAND} leaves.\n"
        )
    while True:
        if interactive:
            output.write("> ")
            output.flush()
        line = input_stream.readline()
        if not line:
            break
        text = line.strip()
        if text == QUIT_COMMAND:
            break
        if text == RESET_COMMAND:
            history.clear()
            output.write("(conversation reset)\n")
            continue
        if not text:
            continue
        history.append(ChatMessage(role="user", content=text, name=speaker))
        try:
            reply = _stream_reply(service, model, history, overrides, output)
        except (InvalidSettingError, ValueError, ModelLoadError, ReplyTimeoutError) as error:
            history.pop()
            output.write(f"error: {error}\n")
            continue
        replies += 1
        if reply.messages:
            history.append(ChatMessage(role="assistant", content=reply.text))
    return replies


def _stream_reply(
    service: ChatService,
    model: str,
    history: list[ChatMessage],
    overrides: dict[str, Any] | None,
    output: TextIO,
) -> Reply:
    persona = service.resolve(model)
    job = service.submit(persona, history, overrides)
    output.write(f"{persona.persona}: ")
    for event in job.stream(service.settings.request_timeout_s):
        if isinstance(event, Reply):
            if not event.messages:
                output.write("(no reply)")
            output.write("\n")
            output.flush()
            return event
        output.write(event)
        output.flush()
    raise AssertionError("a reply stream always ends with a Reply")
