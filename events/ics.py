"""iCalendar (RFC 5545) for meet-ups, written by hand: no library is installed
for it, and what we write is small.

Times are in UTC (`DTSTART:20270115T170000Z`), which needs no VTIMEZONE and
every calendar shows in the reader's own zone. Lines end in CRLF and are
folded at 75 octets (never inside a UTF-8 character); text values escape
backslash, semicolon, comma and line breaks.
"""

import datetime

from django.utils import timezone

from tasteget.helpers import absolute_url

PRODUCT = "-//Region Jamtland Harjedalen//Ta steget//SV"
UID_DOMAIN = "tasteget.nu"


def escape(text):
    return (
        str(text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line):
    """Split a content line into lines of at most 75 octets, continued with a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for character in line:
        piece = character.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_lines(event, now):
    place = ", ".join(part for part in (event.venue, event.address) if part)
    description = event.intro or ""
    if event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    lines = [
        "BEGIN:VEVENT",
        # The Swedish meet-up's key: the same event in every language's feed.
        f"UID:meetup-{event.translation_key}@{UID_DOMAIN}",
        f"DTSTAMP:{utc(now)}",
        f"DTSTART:{utc(event.start)}",
        f"DTEND:{utc(event.end)}",
        f"SUMMARY:{escape(event.title)}",
        f"URL:{absolute_url(event.url)}",
    ]
    if place or event.online_url:
        lines.append(f"LOCATION:{escape(place or event.online_url)}")
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if event.last_published_at:
        lines.append(f"LAST-MODIFIED:{utc(event.last_published_at)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events, name):
    now = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines.extend(event_lines(event, now))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
