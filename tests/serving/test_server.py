"""The API behind a real threaded HTTP server on 127.0.0.1, with concurrent clients."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from werkzeug.serving import make_server

from datastore import create_database_engine, make_session_factory, migrate
from datastore.tokens import create_token
from serving.api import create_app
from serving.service import build_service
from tests.serving.conftest import ALICE, BOB, CARA

HELLO = [{"role": "user", "content": "hello, how are you?"}]


@pytest.fixture
def server(settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'tokens.db'}"
    migrate(url)
    engine = create_database_engine(url)
    sessions = make_session_factory(engine)
    tokens = {}
    with sessions() as session:
        for name in (ALICE, BOB, CARA):
            tokens[name], _ = create_token(session, name)
        session.commit()
    # A long batching window, so requests sent together surely share a batch.
    service = build_service(replace(settings, batch_wait_ms=500.0)).start()
    http = make_server("127.0.0.1", 0, create_app(service, sessions), threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", tokens, service
    http.shutdown()
    service.close()
    engine.dispose()


def request(base_url, token, body):
    data = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    call = urllib.request.Request(f"{base_url}/v1/chat/completions", data, headers)
    with urllib.request.urlopen(call, timeout=120) as response:
        return response.status, response.headers.get_content_type(), response.read().decode()


def test_concurrent_personas_one_batch(server):
    base_url, tokens, service = server

    def ask(name):
        return request(base_url, tokens[name], {"model": name, "messages": HELLO})

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(ask, (ALICE, BOB, CARA)))
    assert [status for status, _, _ in results] == [200, 200, 200]
    assert sum(service.metrics.batch_size.counts) == 1
    assert service.metrics.batch_size.total == 3


def test_stream_over_http(server):
    base_url, tokens, _ = server
    body = {"model": BOB, "messages": HELLO, "stream": True}
    status, content_type, text = request(base_url, tokens[BOB], body)
    assert status == 200
    assert content_type == "text/event-stream"
    assert text.endswith("data: [DONE]\n\n")


def test_auth_error_over_http(server):
    base_url, tokens, _ = server
    with pytest.raises(urllib.error.HTTPError) as caught:
        request(base_url, tokens[BOB], {"model": ALICE, "messages": HELLO})
    assert caught.value.code == 403
    assert json.loads(caught.value.read())["error"]["code"] == "model_not_allowed"
