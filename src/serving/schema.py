"""Validating an OpenAI-style chat completion request body.

Known fields are checked for type and range; unknown fields are ignored, as OpenAI-compatible
servers commonly do. Besides OpenAI's fields, `top_k`, `repetition_penalty` and
`no_repeat_ngram_size` set the matching sampling controls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from serving.prompts import ChatMessage

ROLES = {"system", "developer", "user", "assistant"}
MAX_STOP_STRINGS = 4
MAX_STOP_LENGTH = 200
MAX_MODEL_LENGTH = 300
MAX_NAME_LENGTH = 200

# Request field -> SamplingParams field, with the expected JSON type.
SAMPLING_FIELDS = {
    "temperature": ("temperature", float),
    "top_p": ("top_p", float),
    "top_k": ("top_k", int),
    "max_tokens": ("max_new_tokens", int),
    "max_completion_tokens": ("max_new_tokens", int),
    "repetition_penalty": ("repetition_penalty", float),
    "no_repeat_ngram_size": ("no_repeat_ngram_size", int),
    "seed": ("seed", int),
}
# SamplingParams field -> the request field to name in an error message.
REQUEST_FIELD_NAMES = {"max_new_tokens": "max_tokens"}


class RequestError(ValueError):
    """A request body that cannot be served, with the field at fault and an error code."""

    def __init__(self, message: str, param: str | None = None, code: str = "invalid_value"):
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[ChatMessage]
    sampling: dict[str, Any] = field(default_factory=dict)
    stop: list[str] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False


def parse_chat_request(body: Any, max_messages: int, max_chars: int) -> ChatRequest:
    """Check a decoded JSON body and return the request, or raise RequestError."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object", code="invalid_type")
    model = _required_string(body, "model", MAX_MODEL_LENGTH)
    messages = _messages(body.get("messages"), max_messages, max_chars)
    n = body.get("n", 1)
    if n != 1 or isinstance(n, bool):
        raise RequestError("only n=1 is supported", param="n")
    stream = _optional_bool(body, "stream")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise RequestError("stream_options must be an object", "stream_options", "invalid_type")
    include_usage = bool(options and options.get("include_usage") is True)
    return ChatRequest(
        model=model,
        messages=messages,
        sampling=_sampling(body),
        stop=_stop(body.get("stop")),
        stream=stream,
        include_usage=include_usage,
    )


def _required_string(body: dict[str, Any], name: str, max_length: int) -> str:
    if name not in body:
        raise RequestError(f"missing required field {name!r}", param=name, code="missing_field")
    value = body[name]
    if not isinstance(value, str) or not value.strip():
        raise RequestError(f"{name} must be a non-empty string", param=name, code="invalid_type")
    if len(value) > max_length:
        raise RequestError(f"{name} is longer than {max_length} characters", param=name)
    return value.strip()


def _optional_bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RequestError(f"{name} must be true or false", param=name, code="invalid_type")
    return value


def _messages(value: Any, max_messages: int, max_chars: int) -> list[ChatMessage]:
    if value is None:
        raise RequestError(
            "missing required field 'messages'", param="messages", code="missing_field"
        )
    if not isinstance(value, list) or not value:
        raise RequestError(
            "messages must be a non-empty array", param="messages", code="invalid_type"
        )
    if len(value) > max_messages:
        raise RequestError(
            f"messages has {len(value)} items; the limit is {max_messages}",
            param="messages",
            code="context_length_exceeded",
        )
    messages = [_message(item, index) for index, item in enumerate(value)]
    total = sum(len(message.content) for message in messages)
    if total > max_chars:
        raise RequestError(
            f"the messages have {total} characters; the limit is {max_chars}. "
            "Send fewer or shorter messages.",
            param="messages",
            code="context_length_exceeded",
        )
    if not any(
        message.role in ("user", "assistant") and message.content.strip() for message in messages
    ):
        raise RequestError(
            "messages must contain a user or assistant message with text", param="messages"
        )
    return messages


def _message(item: Any, index: int) -> ChatMessage:
    where = f"messages[{index}]"
    if not isinstance(item, dict):
        raise RequestError(f"{where} must be an object", param=where, code="invalid_type")
    role = item.get("role")
    if role not in ROLES:
        raise RequestError(
            f"{where}.role must be one of system, user, assistant; got {role!r}",
            param=f"{where}.role",
        )
    content = _content(item.get("content"), where)
    name = item.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise RequestError(
            f"{where}.name must be a non-empty string", f"{where}.name", "invalid_type"
        )
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise RequestError(
            f"{where}.name is longer than {MAX_NAME_LENGTH} characters", f"{where}.name"
        )
    role = "system" if role == "developer" else role
    return ChatMessage(role=role, content=content, name=name.strip() if name else None)


def _content(value: Any, where: str) -> str:
    """Accept a string, or OpenAI content parts of type `text`, which are joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text":
                raise RequestError(
                    f"{where}.content may only contain parts of type 'text'",
                    param=f"{where}.content",
                )
            text = part.get("text")
            if not isinstance(text, str):
                raise RequestError(
                    f"{where}.content text parts need a string 'text'",
                    f"{where}.content",
                    "invalid_type",
                )
            texts.append(text)
        return "\n".join(texts)
    raise RequestError(
        f"{where}.content must be a string or an array of text parts",
        param=f"{where}.content",
        code="invalid_type" if value is not None else "missing_field",
    )


def _sampling(body: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for request_name, (name, kind) in SAMPLING_FIELDS.items():
        value = body.get(request_name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RequestError(f"{request_name} must be a number", request_name, "invalid_type")
        if kind is int and not (isinstance(value, int) or float(value).is_integer()):
            raise RequestError(f"{request_name} must be an integer", request_name, "invalid_type")
        if not math.isfinite(value):
            raise RequestError(f"{request_name} must be a finite number", request_name)
        values[name] = int(value) if kind is int else float(value)
    return values


def _stop(value: Any) -> list[str]:
    if value is None:
        return []
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(stop, str) for stop in stops):
        raise RequestError("stop must be a string or an array of strings", "stop", "invalid_type")
    if len(stops) > MAX_STOP_STRINGS:
        raise RequestError(f"stop has more than {MAX_STOP_STRINGS} strings", param="stop")
    if any(not stop or len(stop) > MAX_STOP_LENGTH for stop in stops):
        raise RequestError(
            f"each stop string must have 1 to {MAX_STOP_LENGTH} characters", param="stop"
        )
    return stops
