"""The HTTP API: auth failures, malformed bodies, completions, streaming, health, metrics.

Token checks run against SQLite and PostgreSQL (the `database_url` fixture). The other
tests use SQLite only, because they use the database for nothing but the token check.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from datastore import create_database_engine, make_session_factory, migrate
from datastore.tokens import create_token, revoke_token
from datastore.types import utcnow
from serving.api import MAX_BODY_BYTES, create_app
from serving.service import build_service
from serving.settings import ServingSettings
from tests.serving.conftest import ALICE, BOB, GREEDY

HELLO = [{"role": "user", "content": "hello, how are you?"}]


def open_sessions(url: str):
    migrate(url)
    engine = create_database_engine(url)
    return engine, make_session_factory(engine)


@pytest.fixture(scope="module")
def shared_service(registry, tmp_path_factory):
    """One service for the module; tests that read metrics use the fresh `service` instead."""
    settings = ServingSettings(
        tracking_uri=registry.tracking_uri,
        model_cache_dir=tmp_path_factory.mktemp("api-cache"),
        alias_ttl_s=0.0,
        max_adapters=4,
        sampling=GREEDY,
    )
    with build_service(settings) as service:
        yield service


@pytest.fixture
def sessions(database_url):
    """Sessions on a migrated database of each backend."""
    engine, factory = open_sessions(database_url)
    yield factory
    engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path):
    engine, factory = open_sessions(f"sqlite:///{tmp_path / 'tokens.db'}")
    yield factory
    engine.dispose()


@pytest.fixture
def client(shared_service, sessions):
    """A client whose tokens live on each database backend."""
    return create_app(shared_service, sessions).test_client()


@pytest.fixture
def sqlite_client(shared_service, sqlite_sessions):
    return create_app(shared_service, sqlite_sessions).test_client()


def new_token(sessions, model=ALICE, **options) -> str:
    with sessions() as session:
        token, _ = create_token(session, model, **options)
        session.commit()
    return token


@pytest.fixture
def alice_token(sessions) -> str:
    return new_token(sessions)


@pytest.fixture
def sqlite_token(sqlite_sessions) -> str:
    return new_token(sqlite_sessions)


def post(client, body, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if not isinstance(body, str | bytes):
        body = json.dumps(body)
    return client.post(
        "/v1/chat/completions",
        data=body,
        headers=headers,
        content_type="application/json",
        **kwargs,
    )


def error_of(response) -> dict:
    return response.get_json()["error"]


def events_of(response) -> list:
    blocks = [block for block in response.get_data(as_text=True).split("\n\n") if block]
    assert all(block.startswith("data: ") for block in blocks)
    return [block.removeprefix("data: ") for block in blocks]


def test_healthz_ok(sqlite_client):
    response = sqlite_client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_missing_token_401(client):
    response = post(client, {"model": ALICE, "messages": HELLO})
    assert response.status_code == 401
    assert error_of(response)["code"] == "missing_token"
    assert error_of(response)["type"] == "authentication_error"


def test_non_bearer_scheme_401(client, alice_token):
    response = client.post(
        "/v1/chat/completions",
        json={"model": ALICE, "messages": HELLO},
        headers={"Authorization": f"Basic {alice_token}"},
    )
    assert error_of(response)["code"] == "missing_token"


def test_wrong_token_401(client, alice_token):
    response = post(client, {"model": ALICE, "messages": HELLO}, alice_token[:-4] + "AAAA")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_expired_token_401(client, sessions):
    token = new_token(sessions, expires_in=timedelta(minutes=1), now=utcnow() - timedelta(hours=1))
    response = post(client, {"model": ALICE, "messages": HELLO}, token)
    assert response.status_code == 401
    assert error_of(response)["code"] == "expired_token"


def test_revoked_token_401(client, sessions):
    with sessions() as session:
        token, row = create_token(session, ALICE)
        revoke_token(session, row.id)
        session.commit()
    response = post(client, {"model": ALICE, "messages": HELLO}, token)
    assert response.status_code == 401
    assert error_of(response)["code"] == "revoked_token"


def test_other_models_token_403(client, sessions):
    token = new_token(sessions, model=BOB)
    response = post(client, {"model": ALICE, "messages": HELLO}, token)
    assert response.status_code == 403
    assert error_of(response)["code"] == "model_not_allowed"
    assert ALICE in error_of(response)["message"]


def test_unknown_model_404(client, sessions):
    token = new_token(sessions, model="twinchat-nobody")
    response = post(client, {"model": "twinchat-nobody", "messages": HELLO}, token)
    assert response.status_code == 404
    assert error_of(response)["code"] == "model_not_found"


def test_unknown_alias_404(client, alice_token):
    response = post(client, {"model": f"{ALICE}@staging", "messages": HELLO}, alice_token)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ("{not json", "invalid_json", None),
        ([1, 2], "invalid_type", None),
        ({"messages": HELLO}, "missing_field", "model"),
        ({"model": ALICE}, "missing_field", "messages"),
        ({"model": ALICE, "messages": []}, "invalid_type", "messages"),
        ({"model": ALICE, "messages": "hi"}, "invalid_type", "messages"),
        ({"model": 5, "messages": HELLO}, "invalid_type", "model"),
        ({"model": ALICE, "messages": [{"role": "user", "content": 5}]}, "invalid_type", None),
        ({"model": ALICE, "messages": [{"role": "robot", "content": "hi"}]}, "invalid_value", None),
        ({"model": ALICE, "messages": [{"role": "system", "content": "x"}]}, "invalid_value", None),
        ({"model": ALICE, "messages": [{"role": "user"}]}, "missing_field", None),
        ({"model": ALICE, "messages": HELLO, "temperature": "hot"}, "invalid_type", "temperature"),
        ({"model": ALICE, "messages": HELLO, "temperature": 5}, "invalid_value", "temperature"),
        ({"model": ALICE, "messages": HELLO, "top_p": 0}, "invalid_value", "top_p"),
        ({"model": ALICE, "messages": HELLO, "max_tokens": 0}, "invalid_value", "max_tokens"),
        ({"model": ALICE, "messages": HELLO, "max_tokens": 1.5}, "invalid_type", "max_tokens"),
        ({"model": ALICE, "messages": HELLO, "max_tokens": 10**11}, "invalid_value", "max_tokens"),
        ({"model": ALICE, "messages": HELLO, "top_k": True}, "invalid_type", "top_k"),
        ({"model": ALICE, "messages": HELLO, "n": 2}, "invalid_value", "n"),
        ({"model": ALICE, "messages": HELLO, "stream": "yes"}, "invalid_type", "stream"),
        ({"model": ALICE, "messages": HELLO, "stop": ["a"] * 5}, "invalid_value", "stop"),
        ({"model": ALICE, "messages": HELLO, "stop": 3}, "invalid_type", "stop"),
    ],
)
def test_malformed_body_400(sqlite_client, sqlite_token, body, code, param):
    response = post(sqlite_client, body, sqlite_token)
    assert response.status_code == 400
    assert error_of(response)["code"] == code
    assert error_of(response)["type"] == "invalid_request_error"
    if param:
        assert error_of(response)["param"] == param


def test_too_many_characters_400(sqlite_client, sqlite_token):
    messages = [{"role": "user", "content": "x" * 40_000}]
    response = post(sqlite_client, {"model": ALICE, "messages": messages}, sqlite_token)
    assert response.status_code == 400
    assert error_of(response)["code"] == "context_length_exceeded"


def test_oversized_body_413(sqlite_client, sqlite_token):
    body = json.dumps({"model": ALICE, "messages": HELLO, "pad": "x" * MAX_BODY_BYTES})
    response = post(sqlite_client, body, sqlite_token)
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_unknown_route_json_404(sqlite_client):
    response = sqlite_client.get("/v1/nothing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_completion_shape(sqlite_client, sqlite_token):
    response = post(
        sqlite_client, {"model": ALICE, "messages": HELLO, "max_tokens": 8}, sqlite_token
    )
    body = response.get_json()
    assert response.status_code == 200
    assert body["object"] == "chat.completion"
    assert body["model"] == f"{ALICE}/1"
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert body["choices"][0]["message"]["content"] == "\n\n".join(body["twinchat"]["messages"])
    assert 0 < body["usage"]["completion_tokens"] <= 8
    assert body["usage"]["total_tokens"] == (
        body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    )


def test_alias_and_version_accepted(sqlite_client, sqlite_token):
    for model in (f"{ALICE}@champion", f"{ALICE}/1"):
        response = post(
            sqlite_client, {"model": model, "messages": HELLO, "max_tokens": 2}, sqlite_token
        )
        assert response.status_code == 200, model


def test_stream_chunks(sqlite_client, sqlite_token):
    body = {"model": ALICE, "messages": HELLO, "max_tokens": 8}
    plain = post(sqlite_client, body, sqlite_token).get_json()
    expected = plain["choices"][0]["message"]["content"]
    response = post(sqlite_client, {**body, "stream": True}, sqlite_token)
    events = events_of(response)
    chunks = [json.loads(event) for event in events[:-1]]
    assert response.mimetype == "text/event-stream"
    assert events[-1] == "[DONE]"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks) == expected
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")


def test_stream_usage_chunk(sqlite_client, sqlite_token):
    body = {
        "model": ALICE,
        "messages": HELLO,
        "max_tokens": 4,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    events = events_of(post(sqlite_client, body, sqlite_token))
    chunks = [json.loads(event) for event in events[:-1]]
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] <= 4


def test_metrics_after_requests(service, sqlite_sessions):
    client = create_app(service, sqlite_sessions).test_client()
    token = new_token(sqlite_sessions)
    post(client, {"model": ALICE, "messages": HELLO, "max_tokens": 2}, token)
    post(client, {"model": ALICE, "messages": HELLO})
    text = client.get("/metrics").get_data(as_text=True)
    assert f'twinchat_requests_total{{model="{ALICE}",status="200"}} 1' in text
    assert 'twinchat_requests_total{model="",status="401"} 1' in text
    assert "twinchat_request_latency_seconds_count 2" in text
    assert "twinchat_loaded_adapters 1" in text


def test_unexpected_error_json_500(shared_service, sqlite_sessions, monkeypatch):
    client = create_app(shared_service, sqlite_sessions).test_client()
    token = new_token(sqlite_sessions)

    def broken_resolve(model):
        raise KeyError(model)

    monkeypatch.setattr(shared_service, "resolve", broken_resolve)
    response = post(client, {"model": ALICE, "messages": HELLO}, token)
    assert response.status_code == 500
    assert error_of(response)["code"] == "internal_error"
