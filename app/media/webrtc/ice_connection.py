"""ICE that reports "connected" when its checks succeed, not at the next pacing tick.

aioice's ``Connection.connect`` (0.13) starts a connectivity check every 20 ms (RFC 8445's
Ta timer) and sleeps 20 ms between them; only after a sleep does it look whether the
check list has completed. On loopback or a LAN the first check succeeds within a
millisecond or two, so every call setup waited most of a Ta for nothing: ICE took 20-21 ms
of the ~200 ms from ``join()`` to the first remote frame, where libwebrtc moves on as
soon as a pair is nominated.

:class:`PromptConnection` keeps the pacing (one new check per Ta) and the rest of
``connect`` as aioice has it, but waits for the completion and the pacing timer at once.
Proposed upstream (aioice): the same change in ``Connection.connect``.
"""

from __future__ import annotations

import asyncio

from aioice import Connection
from aioice.ice import ICE_COMPLETED, ICE_FAILED

CHECK_PACING_S = 0.02  # aioice's (and RFC 8445's default) Ta
# The parts of aioice's Connection that connect() below relies on (aioice 0.13).
_AIOICE_METHODS = (
    "_check_periodic",
    "_pair_remote_candidate",
    "_unfreeze_initial",
    "check_incoming",
    "query_consent",
    "sort_check_list",
)


def fits_installed_aioice() -> bool:
    """Whether the installed aioice has what :class:`PromptConnection` builds on; if a
    release moves it, aioice's own ``connect`` (20 ms slower) stays in use."""
    return all(callable(getattr(Connection, name, None)) for name in _AIOICE_METHODS)


class PromptConnection(Connection):
    """aioice's ``Connection`` whose :meth:`connect` returns once the check list is done."""

    async def connect(self) -> None:
        """Perform the ICE handshake (aioice's contract): returns when a candidate pair
        is nominated; raises ``ConnectionError`` when ICE fails, which is only decided
        once the remote side has signalled the end of its candidates."""
        if not self._local_candidates_end:
            raise ConnectionError("Local candidates gathering was not performed")
        if self.remote_username is None or self.remote_password is None:
            raise ConnectionError("Remote username or password is missing")

        # As aioice: pair the remote candidates (RFC 8445 section 6.1.2.2), then answer
        # the checks that arrived before connect().
        for remote_candidate in self._remote_candidates:
            self._pair_remote_candidate(remote_candidate)
        self.sort_check_list()
        self._unfreeze_initial()
        for early_check in self._early_checks:
            self.check_incoming(*early_check)
        self._early_checks.clear()
        self._early_checks_done = True

        # One new check per Ta, but the completion is noticed when it happens. A get()
        # cancelled by the timeout leaves a result put meanwhile in the queue.
        result: int | None = None
        while self._check_periodic():
            try:
                result = await asyncio.wait_for(self._check_list_state.get(), CHECK_PACING_S)
                break
            except TimeoutError:
                continue
        if result is None:
            result = await self._check_list_state.get() if self._check_list else ICE_FAILED

        for check in self._check_list:
            if check.task:
                check.task.cancel()
        if result != ICE_COMPLETED:
            raise ConnectionError("ICE negotiation failed")
        # Consent freshness (RFC 7675), as aioice starts it.
        self._query_consent_task = asyncio.create_task(self.query_consent())
