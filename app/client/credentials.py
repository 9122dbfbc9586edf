"""Tokens in the OS keyring (macOS Keychain, Windows Credential Locker, Secret Service).

Where no keyring backend exists (a headless Linux box, CI) tokens live only in memory for
the process's lifetime: nothing is written to disk in clear, and the fallback is logged
once.
"""

from __future__ import annotations

import logging

import keyring
from keyring.errors import KeyringError

log = logging.getLogger(__name__)

SERVICE_NAME = "Parley"


class CredentialStore:
    """``get``/``set``/``delete`` a token by ``(server_url, user_id)``."""

    def __init__(self) -> None:
        self._memory: dict[str, str] = {}
        self._warned = False

    @staticmethod
    def _key(server_url: str, user_id: str) -> str:
        return f"{server_url.rstrip('/')}|{user_id}"

    def get(self, server_url: str, user_id: str) -> str | None:
        key = self._key(server_url, user_id)
        try:
            value = keyring.get_password(SERVICE_NAME, key)
        except (KeyringError, RuntimeError) as exc:
            self._fallback(exc)
            value = None
        return value or self._memory.get(key)

    def set(self, server_url: str, user_id: str, token: str) -> None:
        key = self._key(server_url, user_id)
        try:
            keyring.set_password(SERVICE_NAME, key, token)
            return
        except (KeyringError, RuntimeError) as exc:
            self._fallback(exc)
        self._memory[key] = token

    def delete(self, server_url: str, user_id: str) -> None:
        key = self._key(server_url, user_id)
        self._memory.pop(key, None)
        try:
            keyring.delete_password(SERVICE_NAME, key)
        except (KeyringError, RuntimeError):
            pass

    def _fallback(self, exc: Exception) -> None:
        if not self._warned:
            log.warning(
                "no usable OS keyring (%s); keeping tokens in memory only", type(exc).__name__
            )
            self._warned = True
