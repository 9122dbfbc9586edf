"""Durable coordinator data (users, calls, members, missed calls) in SQL through SQLAlchemy
async."""

from app.server.storage.records import (
    CallRecord,
    MemberRecord,
    MissedCallRecord,
    NewMember,
    UserRecord,
)
from app.server.storage.store import Store

__all__ = [
    "CallRecord",
    "MemberRecord",
    "MissedCallRecord",
    "NewMember",
    "Store",
    "UserRecord",
]
