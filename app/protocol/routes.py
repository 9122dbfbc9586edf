"""The coordinator's REST routes (all under ``/api/v1``; JSON bodies; bearer JWT).

=======  ==========================================  ==================================
method   path                                        body → answer
=======  ==========================================  ==================================
GET      /api/v1/health                              – → HealthResponse (no auth)
POST     /api/v1/auth/guest                          GuestRequest → TokenResponse
GET      /api/v1/users/me                            – → UserResponse
POST     /api/v1/calls/{type}/{id}                   GetOrCreateCallRequest → …Response
GET      /api/v1/calls/{type}/{id}                   – → CallStateResponse
PATCH    /api/v1/calls/{type}/{id}                   UpdateCallRequest → CallStateResponse
POST     /api/v1/calls/{type}/{id}/members           UpdateCallMembersRequest → CallStateResponse
POST     /api/v1/calls/{type}/{id}/join              JoinCallRequest → JoinCallResponse
POST     /api/v1/calls/{type}/{id}/leave             LeaveCallRequest → {}
POST     /api/v1/calls/{type}/{id}/end               – → CallStateResponse
POST     /api/v1/calls/{type}/{id}/event             SendEventRequest → {}
POST     /api/v1/calls/{type}/{id}/ring              RingCallRequest → RingCallResponse
POST     /api/v1/calls/{type}/{id}/accept            – → CallStateResponse
POST     /api/v1/calls/{type}/{id}/reject            RejectCallRequest → CallStateResponse
POST     /api/v1/calls/{type}/{id}/reaction          SendReactionRequest → SendReactionResponse
GET      /api/v1/users/me/missed_calls               – → list of MissedCallResponse (newest)
GET      /api/v1/calls                               – → list of CallStateResponse (recent)
WS       /api/v1/ws                                  see ``app.protocol.events``
=======  ==========================================  ==================================

Passing ``?connection_id=...`` to get / get-or-create makes that WebSocket connection
watch the call (it receives the call's events without joining), as Stream's ``watch``.
"""

API_PREFIX = "/api/v1"
GUEST_PATH = f"{API_PREFIX}/auth/guest"
HEALTH_PATH = f"{API_PREFIX}/health"
MISSED_CALLS_PATH = f"{API_PREFIX}/users/me/missed_calls"


def call_path(call_type: str, call_id: str, action: str = "") -> str:
    """``/api/v1/calls/{type}/{id}[/action]``."""
    base = f"{API_PREFIX}/calls/{call_type}/{call_id}"
    return f"{base}/{action}" if action else base
