"""A call in a known state for the layout, panel, PiP and tray tests: five people whose
sorting order Stream's default preset fixes, each with a real decoded frame as video."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import av

from app.call import CallStatus
from app.media import FrameSink
from app.protocol import TrackType
from tests.ui.scripted_call import ScriptedCall, participant

# Expected order (pinned, screen sharing, dominant speaker, video on, speaking, name):
#   Yan shares her screen; Xia is the dominant speaker; Ada (you) has video on; Amy is
#   speaking without video; Cal has nothing on and comes last.
SORTED_SESSION_IDS = ["p-yan", "p-xia", "me", "p-amy", "p-cal"]


def five_people_call(frames: list[av.VideoFrame], call_id: str = "design-review") -> ScriptedCall:
    call = ScriptedCall(call_id=call_id)
    yan = participant("p-yan", "Yan Liu", video=False)
    yan = yan.with_changes(published_tracks=yan.published_tracks | {TrackType.SCREEN_SHARE})
    people = [
        participant("p-cal", "Cal Henderson", audio=False, video=False),
        participant("p-amy", "Amy Chen", video=False, speaking=True),
        participant("me", "Ada Lovelace", local=True),
        participant("p-xia", "Xia Wong", video=True).with_changes(is_dominant_speaker=True),
        yan,
    ]
    for index, person in enumerate(people):
        sink = FrameSink()
        sink.put(frames[index * 7])
        call.sinks[person.session_id] = sink
    call.publish(
        call.state.with_changes(
            participants=tuple(people),
            status=CallStatus.connected(),
            joined_at=datetime.now(UTC) - timedelta(minutes=12, seconds=41),
            microphone_enabled=True,
            camera_enabled=True,
            session_id="me",
        )
    )
    return call
