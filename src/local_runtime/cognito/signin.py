"""Cognito's ``USER_SRP_AUTH`` sign-in with the password checked (``srp``), in front of moto.

moto keeps the users and their passwords and runs every other step (MFA, a new password,
the tokens). Two requests are changed on their way:

- ``InitiateAuth`` with ``AuthFlow: USER_SRP_AUTH``: moto's answer keeps its ``Session`` and
  ``USER_ID_FOR_SRP``; ``SALT`` and ``SRP_B`` are replaced by values made from the user's
  password, and ``SECRET_BLOCK`` by a random one (moto's is its session id).
- ``RespondToAuthChallenge`` with ``ChallengeName: PASSWORD_VERIFIER``: the
  ``PASSWORD_CLAIM_SIGNATURE`` is checked; a wrong one is refused as Cognito refuses a wrong
  password (``NotAuthorizedException``, "Incorrect username or password.", HTTP 400, in the
  API reference of ``RespondToAuthChallenge``); a right one goes on to moto with the secret
  block moto expects (its session id).

Each challenge is answered once, as in Cognito, whose secret block is single-use.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from moto.cognitoidp.models import cognitoidp_backends

from local_runtime.cognito.srp import Challenge, Challenges, new_challenge

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = tuple[str, list[tuple[str, str]], bytes]

TARGET = "AWSCognitoIdentityProviderService."
_JSON_11 = "application/x-amz-json-1.1"


def _call(app: WsgiApp, environ: dict[str, Any], body: bytes) -> Answer:
    """Run one request through a WSGI app with ``body``; its status, headers and body."""
    environ = dict(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        started["status"], started["headers"] = status, headers

    chunks = app(environ, start_response)
    try:
        data = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close:
            close()
    return started["status"], started["headers"], data


def _error(environ: dict[str, Any], code: str, message: str) -> Answer:
    """Cognito's error; for a browser (the web app signs in with SRP), with the CORS headers
    moto gives its own answers (the request's origin allowed, ``Vary: Origin``), or the
    browser would see a network failure instead of the refusal."""
    body = json.dumps({"__type": code, "message": message}).encode()
    headers = [("Content-Type", _JSON_11), ("Content-Length", str(len(body)))]
    if origin := environ.get("HTTP_ORIGIN"):
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    return "400 Bad Request", headers, body


def _with_body(answer: Answer, body: dict[str, Any]) -> Answer:
    data = json.dumps(body).encode()
    headers = [(k, v) for k, v in answer[1] if k.lower() != "content-length"]
    return answer[0], [*headers, ("Content-Length", str(len(data)))], data


def _user(client_id: str, username: str) -> tuple[str, str] | None:
    """The pool id and the password moto keeps for ``username`` of the pool of ``client_id``."""
    for regions in cognitoidp_backends.values():
        for backend in regions.values():
            for pool in backend.user_pools.values():
                if client_id in pool.clients:
                    user = backend.admin_get_user(pool.id, username)
                    return pool.id, str(user.password)
    return None


class SrpSignIn:
    """The two Cognito operations of SRP sign-in, checked; ``forward`` is moto."""

    def __init__(self, forward: WsgiApp) -> None:
        self._forward = forward
        self._challenges = Challenges()
        # secret block -> (moto's session id, the user's names: USERNAME, USER_ID_FOR_SRP)
        self._sessions: dict[str, tuple[str, tuple[str, str]]] = {}

    def handles(self, operation: str, body: dict[str, Any]) -> bool:
        if operation == "InitiateAuth":
            return body.get("AuthFlow") == "USER_SRP_AUTH"
        if operation == "RespondToAuthChallenge":
            return body.get("ChallengeName") == "PASSWORD_VERIFIER"
        return False

    def answer(self, operation: str, environ: dict[str, Any], body: dict[str, Any]) -> Answer:
        if operation == "InitiateAuth":
            return self._initiate(environ, body)
        return self._respond(environ, body)

    def _initiate(self, environ: dict[str, Any], body: dict[str, Any]) -> Answer:
        answer = _call(self._forward, environ, json.dumps(body).encode())
        if not answer[0].startswith("200"):
            return answer
        reply = json.loads(answer[2])
        parameters = reply.get("ChallengeParameters") or {}
        if reply.get("ChallengeName") != "PASSWORD_VERIFIER":
            return answer
        parameters_in = body.get("AuthParameters") or {}
        found = _user(str(body.get("ClientId")), str(parameters.get("USERNAME")))
        if found is None:
            return answer
        pool_id, password = found
        try:
            challenge = new_challenge(
                pool_id, parameters["USER_ID_FOR_SRP"], password, str(parameters_in["SRP_A"])
            )
        except ValueError as error:
            return _error(environ, "InvalidParameterException", str(error))
        secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
        self._challenges.put(secret_block, challenge)
        names = (str(parameters["USERNAME"]), str(parameters["USER_ID_FOR_SRP"]))
        self._sessions[secret_block] = (parameters["SECRET_BLOCK"], names)
        parameters.update(
            SALT=challenge.salt_hex, SRP_B=format(challenge.big_b, "x"), SECRET_BLOCK=secret_block
        )
        return _with_body(answer, reply)

    def _respond(self, environ: dict[str, Any], body: dict[str, Any]) -> Answer:
        responses = dict(body.get("ChallengeResponses") or {})
        secret_block = str(responses.get("PASSWORD_CLAIM_SECRET_BLOCK", ""))
        challenge: Challenge | None = self._challenges.take(secret_block)
        session = self._sessions.pop(secret_block, None)
        if challenge is None or session is None:
            return _error(environ, "NotAuthorizedException", "Incorrect username or password.")
        moto_session, names = session
        # The proof signs for one user: the answer may not name another.
        if responses.get("USERNAME") not in names:
            return _error(environ, "NotAuthorizedException", "Incorrect username or password.")
        try:
            expected = challenge.expected_signature(
                base64.b64decode(secret_block), str(responses.get("TIMESTAMP", ""))
            )
        except ValueError:
            expected = ""
        signature = str(responses.get("PASSWORD_CLAIM_SIGNATURE", ""))
        if not expected or not secrets.compare_digest(expected, signature):
            return _error(environ, "NotAuthorizedException", "Incorrect username or password.")
        responses.update(PASSWORD_CLAIM_SECRET_BLOCK=moto_session, USERNAME=names[0])
        forwarded = json.dumps({**body, "ChallengeResponses": responses}).encode()
        return _call(self._forward, environ, forwarded)
