"""The coordinator's REST API over httpx, with typed answers and typed errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.client.errors import ClientError
from app.protocol import ErrorCode, ErrorResponse

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
TokenProvider = Callable[[], Awaitable[str]]

REQUEST_TIMEOUT_S = 15.0


class CoordinatorApi:
    """Authenticated JSON requests to one coordinator.

    The bearer token comes from ``token`` and, once it expires (401 ``token_expired``),
    from ``token_provider`` — the request is retried once with the new token, as Stream's
    ``TokenProvider`` does. Tokens are never logged.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        token_provider: TokenProvider | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._token_provider = token_provider
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=REQUEST_TIMEOUT_S)

    @property
    def token(self) -> str | None:
        return self._token

    def set_token(self, token: str) -> None:
        self._token = token

    async def current_token(self) -> str:
        """The token to use now; asks the provider when there is none yet."""
        if self._token is None:
            if self._token_provider is None:
                raise ClientError("no token and no token provider", code=ErrorCode.TOKEN_MISSING)
            self._token = await self._token_provider()
        return self._token

    async def close(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: dict[str, str] | None = None,
        response_model: type[ModelT],
        authenticated: bool = True,
    ) -> ModelT:
        """Send one request and parse the answer as ``response_model``.

        Raises ``ClientError`` for 4xx/5xx answers (with the server's code and message),
        for an unreachable server (status 0) and for an answer that does not parse.
        """
        data = await self.request_json(
            method, path, body=body, params=params, authenticated=authenticated
        )
        try:
            return response_model.model_validate(data)
        except ValidationError as exc:
            raise ClientError(f"unexpected answer from {path}: {exc}", status=200) from exc

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> Any:
        json_body = body.model_dump(mode="json", exclude_none=True) if body is not None else None
        for attempt in range(2):
            headers = {}
            if authenticated:
                headers["Authorization"] = f"Bearer {await self.current_token()}"
            try:
                response = await self._http.request(
                    method, path, json=json_body, params=params, headers=headers
                )
            except httpx.HTTPError as exc:
                raise ClientError(
                    f"cannot reach the coordinator at {self.base_url}: {exc}"
                ) from exc
            if response.status_code < 400:
                return response.json() if response.content else {}
            error = _parse_error(response)
            if (
                attempt == 0
                and authenticated
                and error.code is ErrorCode.TOKEN_EXPIRED
                and self._token_provider is not None
            ):
                log.info("token expired; asking the token provider for a new one")
                self._token = await self._token_provider()
                continue
            raise error
        raise AssertionError("unreachable")


def _parse_error(response: httpx.Response) -> ClientError:
    try:
        body = ErrorResponse.model_validate(response.json())
        return ClientError(
            body.message, status=response.status_code, code=body.code, field=body.field
        )
    except (ValueError, ValidationError):
        return ClientError(
            f"coordinator answered {response.status_code}: {response.text[:200]}",
            status=response.status_code,
        )
