"""Calendar files (.ics) for confirmed meetings: one VEVENT each, with a reminder 30 minutes before.

`meeting_calendar` takes meeting requests with `buyer`, `producer` (with its ward and province), `event` and
`placement` (with its slot and table) loaded; meetings that are not confirmed are left out.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from matchmaking.models import MeetingRequest
from matchmaking.services.meetings import is_confirmed, meeting_placement, meeting_times

REMINDER = datetime.timedelta(minutes=30)
PRODID = "-//So Cong Thuong//OCOP Portal meetings//VI"


def portal_host() -> str:
    return urlsplit(settings.PORTAL_URL).hostname or "ocop.localhost"


def meeting_uid(meeting: MeetingRequest) -> str:
    """Stable per meeting, so that a calendar updates the entry instead of adding a second one."""
    return f"meeting-{meeting.pk}@{portal_host()}"


def meeting_summary(meeting: MeetingRequest) -> str:
    return _("Meeting: %(buyer)s – %(producer)s") % {"buyer": meeting.buyer.name, "producer": meeting.producer.name}


def meeting_location(meeting: MeetingRequest) -> str:
    if meeting.mode == MeetingRequest.Mode.ONLINE:
        return meeting.online_link
    if meeting.mode == MeetingRequest.Mode.AT_PRODUCER:
        return f"{meeting.producer.name}, {meeting.producer.full_address}"
    parts = [meeting.event.venue, meeting.event.address] if meeting.event_id else []
    placement = meeting_placement(meeting)
    if placement is not None:
        parts.append(str(placement.table))
    return ", ".join(part for part in parts if part)


def _description(meeting: MeetingRequest, url: str) -> str:
    lines = [meeting_summary(meeting), f"{_('How')}: {meeting.get_mode_display()}"]
    if meeting.event_id:
        lines.append(f"{_('Event')}: {meeting.event.name}")
    if meeting.mode == MeetingRequest.Mode.ONLINE and meeting.online_link:
        lines.append(f"{_('Link')}: {meeting.online_link}")
    lines += ["", meeting.message, "", url]
    return "\n".join(lines)


def _vevent(meeting: MeetingRequest, start: datetime.datetime, end: datetime.datetime) -> icalendar.Event:
    url = settings.PORTAL_URL + reverse("matchmaking:meeting-detail", args=[meeting.pk])
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", start.astimezone(datetime.UTC))
    event.add("dtend", end.astimezone(datetime.UTC))
    event.add("summary", meeting_summary(meeting))
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    event.add("description", _description(meeting, url))
    event.add("url", url)
    event.add("status", "CONFIRMED")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -REMINDER)
    alarm.add("description", meeting_summary(meeting))
    event.add_component(alarm)
    return event


def meeting_calendar(meetings: Iterable[MeetingRequest], *, name: str = "") -> bytes:
    """An iCalendar file with one VEVENT per confirmed meeting (times in UTC) and a DISPLAY alarm 30 minutes before."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        if not is_confirmed(meeting):
            continue
        start, end = meeting_times(meeting)
        calendar.add_component(_vevent(meeting, start, end))
    return calendar.to_ical()
