"""The client side of the coordinator: ``VideoClient`` (Stream's ``StreamVideo``)."""

from app.client.credentials import CredentialStore
from app.client.errors import ClientError
from app.client.event_stream import ConnectionState
from app.client.video_client import VideoClient

__all__ = ["ClientError", "ConnectionState", "CredentialStore", "VideoClient"]
