"""The OpenAPI document, and a sweep of bad inputs: every one is a 4xx ErrorResponse,
never a 5xx, and leaves other calls' data as it was."""

from __future__ import annotations

import json

import httpx

from app.protocol import CallStateResponse, ErrorResponse
from tests.fixtures.coordinator import RunningCoordinator
from tests.server.rest import api, user_api

ROUTES = {
    ("get", "/api/v1/health"),
    ("post", "/api/v1/auth/guest"),
    ("get", "/api/v1/users/me"),
    ("get", "/api/v1/calls"),
    ("post", "/api/v1/calls/{call_type}"),
    ("post", "/api/v1/calls/{call_type}/{call_id}"),
    ("get", "/api/v1/calls/{call_type}/{call_id}"),
    ("patch", "/api/v1/calls/{call_type}/{call_id}"),
    ("post", "/api/v1/calls/{call_type}/{call_id}/members"),
    ("post", "/api/v1/calls/{call_type}/{call_id}/join"),
    ("post", "/api/v1/calls/{call_type}/{call_id}/leave"),
    ("post", "/api/v1/calls/{call_type}/{call_id}/end"),
    ("post", "/api/v1/calls/{call_type}/{call_id}/event"),
    ("post", "/api/v1/calls/{call_type}/{call_id}/go_live"),
    ("post", "/api/v1/calls/{call_type}/{call_id}/stop_live"),
}


def test_openapi_lists_routes_and_models(coordinator: RunningCoordinator) -> None:
    document = api(coordinator).get("/openapi.json").json()
    listed = {(method, path) for path, item in document["paths"].items() for method in item}
    assert ROUTES <= listed
    schemas = document["components"]["schemas"]
    for model in ("GetOrCreateCallResponse", "JoinCallResponse", "ErrorResponse", "CallSettings"):
        assert model in schemas
    join = document["paths"]["/api/v1/calls/{call_type}/{call_id}/join"]["post"]
    assert join["responses"]["403"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorResponse"
    )
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def _bad_requests(call_path: str) -> list[tuple[str, str, object]]:
    """(method, path, body) that must all be refused; body is JSON-able, raw bytes, or
    None for no body. ``NEW`` in a path stands for a call id never used before, so
    get-or-create bodies go through creation (an existing call ignores them)."""
    new = "/api/v1/calls/default/NEW"
    deep = "[" * 5000 + "]" * 5000
    return [
        ("post", new, b"{"),
        ("post", new, deep.encode()),
        ("post", new, b"\xff\xfe\x00garbage"),
        ("post", new, b'{"data": {"custom": {"n": 1e999}}}'),
        ("post", new, b'{"data": {"custom": {"n": NaN}}}'),
        ("post", new, b'{"data": {"custom": {"big": ' + b"9" * 5000 + b"}}}"),
        ("post", new, {"data": {"custom": {"x": "y" * 20_000}}}),
        ("post", new, {"data": {"custom": json.loads('{"a":' * 40 + "1" + "}" * 40)}}),
        ("post", new, {"data": {"members": [{"user_id": ""}]}}),
        ("post", new, {"data": {"members": [{"user_id": "u", "role": "admin"}]}}),
        ("post", new, {"data": {"members": [{"user_id": "u", "role": 7}]}}),
        ("post", new, {"data": {"settings_override": {"video": 5}}}),
        (
            "post",
            new,
            {"data": {"settings_override": {"video": {"target_resolution": {"width": -1e400}}}}},
        ),
        ("post", new, {"data": {"settings_override": {"ring": {"incoming_call_timeout_ms": -5}}}}),
        ("post", new, {"data": {"settings_override": []}}),
        ("post", new, []),
        ("post", new, "string"),
        ("post", "/api/v1/calls/livestream", {"data": {"settings_override": {"x": 1}}}),
        ("patch", call_path, {"settings_override": {"nope": 1}}),
        ("patch", call_path, {"settings_override": {"audio": {"default_device": "tin can"}}}),
        ("patch", call_path, {"custom": "not an object"}),
        ("patch", call_path, None),
        ("post", call_path + "/members", {"update_members": [{"user_id": "a b"}]}),
        ("post", call_path + "/members", {"update_members": [{"user_id": "u", "role": "root"}]}),
        ("post", call_path + "/members", {"remove_members": [1, 2]}),
        ("post", call_path + "/join", {}),
        ("post", call_path + "/join", {"connection_id": ""}),
        ("post", call_path + "/join", {"connection_id": "x", "published_tracks": ["smell"]}),
        ("post", call_path + "/join", {"connection_id": "not-mine"}),
        ("post", call_path + "/leave", {"session_id": "\u0000"}),
        ("post", call_path + "/leave", {}),
        ("post", call_path + "/event", {"custom": None}),
        ("post", call_path + "/event", {"custom": {"x": float("inf")}}),
        ("post", call_path + "/unknown", {}),
        ("delete", call_path, None),
        ("post", "/api/v1/calls/" + "t" * 5000 + "/x", {}),
        ("post", "/api/v1/calls/default/" + "%00", {}),
        ("post", "/api/v1/calls/default/..%2F..%2Fetc", {}),
        ("get", "/api/v1/calls/default/" + "%E2%80%AE", None),
        ("get", call_path + "?connection_id=" + "z" * 3000, None),
        ("post", "/api/v1/auth/guest", {"user": {"id": "bad id"}}),
        ("post", "/api/v1/auth/guest", {"user": {"custom": {"n": float("nan")}}}),
        ("post", "/api/v1/auth/guest", {"user": {"name": "x" * 500}}),
        ("get", "/api/v1/nothing-here", None),
    ]


def _send(client: httpx.Client, method: str, path: str, body: object) -> httpx.Response:
    if body is None:
        return client.request(method, path)
    if isinstance(body, bytes):
        return client.request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
    # allow_nan: send NaN/Infinity as Python's json does, as a careless client would.
    content = json.dumps(body, allow_nan=True)
    return client.request(
        method, path, content=content, headers={"Content-Type": "application/json"}
    )


def test_bad_input_never_answers_5xx_and_leaves_other_calls_untouched(
    coordinator: RunningCoordinator,
) -> None:
    alice, bob = user_api(coordinator, "Alice"), user_api(coordinator, "Bob")
    keep = alice.post(
        "/api/v1/calls/default/keep",
        json={"data": {"custom": {"k": 1}, "members": [{"user_id": bob.user_id}]}},
    )
    assert keep.status_code == 200
    before = CallStateResponse.model_validate_json(alice.get("/api/v1/calls/default/keep").content)
    alice.post("/api/v1/calls/default/target", json={})

    failures = []
    for client in (alice, bob, api(coordinator), api(coordinator, "garbage")):
        for index, (method, template, body) in enumerate(
            _bad_requests("/api/v1/calls/default/target")
        ):
            path = template.replace("NEW", f"new{index}")
            answer = _send(client, method, path, body)
            if not 400 <= answer.status_code < 500:
                failures.append((method, path[:60], str(body)[:60], answer.status_code))
            else:
                ErrorResponse.model_validate_json(answer.content)
    assert failures == []
    # Nothing was created by the refused get-or-create requests.
    recent = [c["call"]["cid"] for c in alice.get("/api/v1/calls").json()]
    assert sorted(recent) == ["default:keep", "default:target"]

    after = CallStateResponse.model_validate_json(alice.get("/api/v1/calls/default/keep").content)
    assert after == before
    assert api(coordinator).get("/api/v1/health").status_code == 200
