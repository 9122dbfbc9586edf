"""Durable coordinator data (users, calls, members) in SQL through SQLAlchemy async."""

from app.server.storage.records import CallRecord, MemberRecord, NewMember, UserRecord
from app.server.storage.store import Store

__all__ = ["CallRecord", "MemberRecord", "NewMember", "Store", "UserRecord"]
