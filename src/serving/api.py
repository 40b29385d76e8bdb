"""The HTTP API: an OpenAI-compatible chat completions endpoint, health and metrics.

`POST /v1/chat/completions` takes the registered model in `model` (`NAME`, `NAME@ALIAS` or
`NAME/VERSION`) and an access token for that model as the Bearer credential. Errors come
back in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from datastore.tokens import TokenStatus, verify_token
from serving.errors import ModelLoadError, ModelNotFoundError, ReplyTimeoutError
from serving.metrics import CONTENT_TYPE
from serving.registry_cache import parse_model_field
from serving.schema import REQUEST_FIELD_NAMES, RequestError, parse_chat_request
from serving.service import ChatService, Reply, ReplyJob
from serving.settings import InvalidSettingError

logger = logging.getLogger(__name__)

# Request bodies above this many bytes are rejected with 413 before they are parsed.
MAX_BODY_BYTES = 1 << 20

# Token status -> (HTTP status, message, error code).
TOKEN_ERRORS = {
    TokenStatus.MISSING: (
        401,
        "No access token: send 'Authorization: Bearer <token>' with a token for this model.",
        "missing_token",
    ),
    TokenStatus.UNKNOWN: (
        401,
        "The access token is not valid. Check that it was copied whole, or create a new one.",
        "invalid_token",
    ),
    TokenStatus.EXPIRED: (
        401,
        "The access token has expired. Ask the model's owner for a new one.",
        "expired_token",
    ),
    TokenStatus.REVOKED: (
        401,
        "The access token was revoked. Ask the model's owner for a new one.",
        "revoked_token",
    ),
}
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    500: "server_error",
    503: "server_error",
    504: "server_error",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


def error_body(status: int, message: str, code: str, param: str | None = None) -> dict[str, Any]:
    error_type = ERROR_TYPES.get(
        status, "server_error" if status >= 500 else "invalid_request_error"
    )
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def create_app(service: ChatService, session_factory: sessionmaker[Session]) -> Flask:
    """Build the Flask app around a started ChatService and the token database."""
    app = Flask("twinchat.serving")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    settings = service.settings
    metrics = service.metrics

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return jsonify(
            error_body(error.status, error.message, error.code, error.param)
        ), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        return jsonify(error_body(status, error.description or error.name, code)), status

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        logger.exception("request %s %s failed", request.method, request.path)
        body = error_body(
            500, "Internal server error; the server log has the details.", "internal_error"
        )
        return jsonify(body), 500

    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()
        g.model_label = ""

    @app.after_request
    def count_request(response: Response) -> Response:
        if request.path == "/v1/chat/completions":
            metrics.requests.inc(model=g.get("model_label", ""), status=str(response.status_code))
            if not response.is_streamed:
                metrics.latency.observe(time.perf_counter() - g.started)
        return response

    @app.get("/healthz")
    def healthz():
        return jsonify(
            {
                "status": "ok",
                "base_models": len(service.store.slots),
                "loaded_adapters": service.store.loaded_adapters(),
            }
        )

    @app.get("/metrics")
    def metrics_text():
        return Response(metrics.render(), content_type=CONTENT_TYPE)

    @app.post("/v1/chat/completions")
    def chat_completions():
        token = bearer_token()
        if token is None:
            raise ApiError(*TOKEN_ERRORS[TokenStatus.MISSING])
        body = request.get_json(silent=True, force=True)
        if body is None:
            raise ApiError(
                400, "The request body is not valid JSON; send a JSON object.", "invalid_json"
            )
        try:
            chat = parse_chat_request(body, settings.max_messages, settings.max_request_chars)
            name = parse_model_field(chat.model).name
        except RequestError as error:
            raise ApiError(400, error.message, error.code, error.param) from error
        except ModelNotFoundError as error:
            raise ApiError(404, str(error), "model_not_found", "model") from error

        check_token(token, name)
        g.model_label = name
        try:
            persona = service.resolve(chat.model)
            job = service.submit(persona, chat.messages, chat.sampling, chat.stop)
        except ModelNotFoundError as error:
            raise ApiError(404, str(error), "model_not_found", "model") from error
        except InvalidSettingError as error:
            param = REQUEST_FIELD_NAMES.get(error.name, error.name)
            message = str(error).replace(error.name, param, 1)
            raise ApiError(400, message, "invalid_value", param) from error
        except ModelLoadError as error:
            logger.error("model %s could not be served: %s", chat.model, error)
            raise ApiError(500, str(error), "model_load_failed") from error
        except ValueError as error:
            raise ApiError(400, str(error), "invalid_value", "messages") from error

        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        model_id = f"{persona.name}/{persona.version}"
        if chat.stream:
            return Response(
                stream_events(job, completion_id, model_id, chat.include_usage, g.started),
                content_type="text/event-stream; charset=utf-8",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        try:
            reply = job.result(settings.request_timeout_s)
        except ReplyTimeoutError as error:
            raise ApiError(504, str(error), "timeout") from error
        except ModelLoadError as error:
            raise ApiError(500, str(error), "model_load_failed") from error
        return jsonify(completion_body(reply, completion_id, model_id))

    def check_token(token: str, name: str) -> None:
        try:
            with session_factory() as session:
                check = verify_token(session, token, name)
                session.commit()
        except SQLAlchemyError as error:
            logger.error("token check for model %s failed: %s", name, error)
            raise ApiError(
                503, "The token database is unavailable; retry later.", "database_unavailable"
            ) from error
        if check.status is TokenStatus.WRONG_MODEL:
            raise ApiError(
                403,
                f"This access token does not grant use of {name!r}. Check the model name, "
                f"or use a token created for {name!r} with `twinchat token create`.",
                "model_not_allowed",
                "model",
            )
        if not check.valid:
            raise ApiError(*TOKEN_ERRORS[check.status])

    def stream_events(
        job: ReplyJob, completion_id: str, model_id: str, include_usage: bool, started: float
    ) -> Iterator[str]:
        """Yield server-sent events in OpenAI's chunk format, ending with `data: [DONE]`.

        This runs after the request context is gone, so it reads nothing from `request` or `g`.
        """
        created = int(time.time())

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
            body = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model_id,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            return sse(body)

        finished = False
        try:
            yield chunk({"role": "assistant", "content": ""})
            for event in job.stream(settings.request_timeout_s):
                if isinstance(event, Reply):
                    yield chunk({}, event.finish_reason)
                    if include_usage:
                        usage = completion_body(event, completion_id, model_id)["usage"]
                        yield sse({**usage_chunk(completion_id, created, model_id), "usage": usage})
                else:
                    yield chunk({"content": event})
            finished = True
        except (ReplyTimeoutError, ModelLoadError, RuntimeError, ValueError) as error:
            logger.error("streamed reply %s failed: %s", completion_id, error)
            yield sse(error_body(500, str(error), "generation_failed"))
        finally:
            if not finished:
                job.cancel()
            metrics.latency.observe(time.perf_counter() - started)
        yield "data: [DONE]\n\n"

    return app


def bearer_token() -> str | None:
    """Return the Bearer credential of the request, or None when there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    return credential.strip()


def sse(body: dict[str, Any]) -> str:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def usage_chunk(completion_id: str, created: int, model_id: str) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model_id,
        "choices": [],
    }


def completion_body(reply: Reply, completion_id: str, model_id: str) -> dict[str, Any]:
    """Return the OpenAI `chat.completion` object, plus the burst's messages under `twinchat`."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model_id,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
        "twinchat": {"messages": reply.messages, "model_version": reply.version},
    }
