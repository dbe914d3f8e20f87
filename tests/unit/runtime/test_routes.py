"""Route selection of the local HTTP API, by the rules of API Gateway's "Create routes for
HTTP APIs": path variables, a greedy ``{proxy+}`` that ends the path, ``ANY``, the priority
full match > greedy > ``$default``, and URL-decoded path parameters."""

from __future__ import annotations

import pytest

from local_runtime.apigateway.routes import RouteError, RouteTable

ROUTES = [
    "GET /pets/dog/1",
    "GET /pets/dog/{id}",
    "GET /pets/{proxy+}",
    "ANY /{proxy+}",
    "GET /pets/{petID}",
    "GET /channels/{proxy+}",
]


@pytest.fixture
def table() -> RouteTable[str]:
    routes: RouteTable[str] = RouteTable()
    for key in ROUTES:
        routes.add(key, key)
    return routes


@pytest.mark.parametrize(
    ("method", "path", "route", "parameters"),
    [
        # the guide's own example: GET /pets/{petID} takes /pets/6
        ("GET", "/pets/6", "GET /pets/{petID}", {"petID": "6"}),
        # 1. a full match first, the one with the most literal segments of several
        ("GET", "/pets/dog/1", "GET /pets/dog/1", {}),
        ("GET", "/pets/dog/2", "GET /pets/dog/{id}", {"id": "2"}),
        # 2. then a greedy variable: every child path, the longest route of several
        ("GET", "/pets/cat/1", "GET /pets/{proxy+}", {"proxy": "cat/1"}),
        ("GET", "/channels/chat/room-1", "GET /channels/{proxy+}", {"proxy": "chat/room-1"}),
        # ANY takes the methods a resource has no route of its own for
        ("POST", "/pets/dog/1", "ANY /{proxy+}", {"proxy": "pets/dog/1"}),
        # path parameters are URL-decoded
        ("GET", "/pets/a%20b", "GET /pets/{petID}", {"petID": "a b"}),
    ],
)
def test_a_request_takes_the_route_api_gateway_selects(
    table: RouteTable[str], method: str, path: str, route: str, parameters: dict[str, str]
) -> None:
    assert table.find(method, path) == (route, parameters)


def test_a_greedy_variable_needs_a_child_path_and_nothing_matches_without_default() -> None:
    routes: RouteTable[str] = RouteTable()
    routes.add("GET /channels/{proxy+}", "history")
    assert routes.find("GET", "/channels") is None
    assert routes.find("GET", "/channels/") is None
    assert routes.find("POST", "/channels/chat") is None
    routes.add("$default", "default")
    assert routes.find("GET", "/channels") == ("default", {})


def test_a_greedy_variable_must_end_the_path() -> None:
    with pytest.raises(RouteError, match="must end the path"):
        RouteTable[str]().add("GET /{proxy+}/more", "x")
