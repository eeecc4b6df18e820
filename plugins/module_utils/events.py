# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Events API v2 bodies: built and checked here for the event modules and the notify callback.

Every check that PagerDuty would make is made here first, so that bad input
fails with a message naming the parameter before anything is sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re
import uuid

EVENT_ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255
MAX_EVENT_BYTES = 512 * 1024
ROUTING_KEY_LENGTH = 32

_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
                        r"(?:(Z)|([+-])(\d{2}):?(\d{2}))$", re.IGNORECASE)


class EventValidationError(ValueError):
    """Bad input for an event; the message names the parameter."""


def check_routing_key(routing_key):
    if not routing_key:
        raise EventValidationError("routing_key is required: the 32-character integration key of an Events API v2 "
                                   "integration (or set PAGERDUTY_ROUTING_KEY)")
    if len(routing_key) != ROUTING_KEY_LENGTH or not re.match(r"^[A-Za-z0-9]+$", routing_key):
        raise EventValidationError("routing_key must be the 32-character integration key of an Events API v2 "
                                   "integration (the one given has %d characters)" % len(routing_key))


def _split(value):
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_images(value, parameter="images"):
    """Images as a list of dicts (``src``, ``href``, ``alt``) or of URLs, or a comma-separated string of URLs."""
    if value in (None, "", []):
        return []
    items = _split(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        raise EventValidationError("%s must be a list of images or a comma-separated string of image URLs" % parameter)
    images = []
    for index, item in enumerate(items):
        image = {"src": item} if isinstance(item, str) else item
        if not isinstance(image, dict) or not image.get("src"):
            raise EventValidationError("%s[%d] needs a src (an https:// image URL)" % (parameter, index))
        unknown = set(image) - {"src", "href", "alt"}
        if unknown:
            raise EventValidationError("%s[%d] has unknown keys %s; allowed: src, href, alt"
                                       % (parameter, index, ", ".join(sorted(unknown))))
        if not str(image["src"]).lower().startswith("https://") or not _URL.match(str(image["src"])):
            raise EventValidationError("%s[%d].src must be an https:// URL (PagerDuty only shows images served over "
                                       "HTTPS), got %r" % (parameter, index, image["src"]))
        if image.get("href") and not _URL.match(str(image["href"])):
            raise EventValidationError("%s[%d].href must be an http(s):// URL, got %r" % (parameter, index, image["href"]))
        images.append(dict((k, str(v)) for k, v in image.items() if v not in (None, "")))
    return images


def parse_links(value, parameter="links"):
    """Links as a list of dicts (``href``, ``text``) or of URLs, or a comma-separated string of URLs."""
    if value in (None, "", []):
        return []
    items = _split(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        raise EventValidationError("%s must be a list of links or a comma-separated string of URLs" % parameter)
    links = []
    for index, item in enumerate(items):
        link = {"href": item} if isinstance(item, str) else item
        if not isinstance(link, dict) or not link.get("href"):
            raise EventValidationError("%s[%d] needs an href (an http(s):// URL)" % (parameter, index))
        unknown = set(link) - {"href", "text"}
        if unknown:
            raise EventValidationError("%s[%d] has unknown keys %s; allowed: href, text"
                                       % (parameter, index, ", ".join(sorted(unknown))))
        if not _URL.match(str(link["href"])):
            raise EventValidationError("%s[%d].href must be an http(s):// URL, got %r" % (parameter, index, link["href"]))
        links.append(dict((k, str(v)) for k, v in link.items() if v not in (None, "")))
    return links


def rfc3339_timestamp(text):
    """``text`` (ISO 8601 with a time zone) in the RFC 3339 form PagerDuty's Events API takes, or None if invalid.

    Accepts a space for ``T``, missing seconds and ``+hhmm`` offsets, and writes them as
    ``2026-11-23T08:42:00Z`` / ``2026-11-23T09:42:00+01:00``.
    """
    match = _TIMESTAMP.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, offset_hours, offset_minutes = match.groups()
    try:
        datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    if zulu:
        zone = "Z"
    elif int(offset_hours) <= 23 and int(offset_minutes) <= 59:
        zone = "%s%s:%s" % (sign, offset_hours, offset_minutes)
    else:
        return None
    return "%s-%s-%sT%s:%s:%s%s%s" % (year, month, day, hour, minute, second or "00", fraction or "", zone)


def check_timestamp(value, parameter="timestamp"):
    """The timestamp in RFC 3339 form, once it is known to be a real date and time with a time zone."""
    if value is None:
        return None
    text = str(value).strip()
    normalised = rfc3339_timestamp(text)
    if normalised is None:
        raise EventValidationError("%s must be an ISO 8601 date and time with a time zone (Z or an offset), such as "
                                   "2026-11-23T08:42:58Z or 2026-11-23T09:42:58.315+01:00; got %r" % (parameter, value))
    return normalised


def now_timestamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_size(event):
    size = len(json.dumps(event, separators=(",", ":")).encode("utf-8"))
    if size > MAX_EVENT_BYTES:
        raise EventValidationError("the event is %d bytes; PagerDuty accepts at most 512 KB - shorten custom_details"
                                   % size)


def build_alert_event(routing_key, event_action, dedup_key=None, summary=None, source=None, severity=None,
                      timestamp=None, component=None, group=None, event_class=None, custom_details=None,
                      images=None, links=None, client=None, client_url=None):
    """The body of an alert event, checked as PagerDuty would check it.

    A trigger without ``dedup_key`` gets a new random one here rather than at
    PagerDuty, so that resending the event after a lost answer cannot open a
    second alert.
    """
    check_routing_key(routing_key)
    if event_action not in EVENT_ACTIONS:
        raise EventValidationError("event_action must be one of %s, got %r" % (", ".join(EVENT_ACTIONS), event_action))
    if dedup_key is not None and len(dedup_key) > MAX_DEDUP_KEY:
        raise EventValidationError("dedup_key is %d characters; PagerDuty allows at most %d"
                                   % (len(dedup_key), MAX_DEDUP_KEY))
    event = {"routing_key": routing_key, "event_action": event_action}
    if event_action == "trigger":
        payload = _trigger_payload(summary, source, severity, timestamp, component, group, event_class,
                                   custom_details)
        event.update(_trigger_extras(payload, dedup_key, client, client_url, images, links))
    else:
        if not dedup_key:
            raise EventValidationError("event_action=%s requires dedup_key: the key of the alert to %s"
                                       % (event_action, event_action))
        event["dedup_key"] = dedup_key
    _check_size(event)
    return event


def _trigger_payload(summary, source, severity, timestamp, component, group, event_class, custom_details):
    """The ``payload`` of a trigger, checked."""
    missing = [name for name, value in (("summary", summary), ("source", source), ("severity", severity))
               if not value]
    if missing:
        raise EventValidationError("event_action=trigger requires %s" % ", ".join(missing))
    if severity not in SEVERITIES:
        raise EventValidationError("severity must be one of %s, got %r" % (", ".join(SEVERITIES), severity))
    if len(summary) > MAX_SUMMARY:
        raise EventValidationError("summary is %d characters; PagerDuty allows at most %d" % (len(summary), MAX_SUMMARY))
    if custom_details is not None and not isinstance(custom_details, dict):
        raise EventValidationError("custom_details must be a dictionary")
    payload = {"summary": summary, "source": source, "severity": severity}
    for key, value in (("timestamp", check_timestamp(timestamp)), ("component", component), ("group", group),
                       ("class", event_class), ("custom_details", custom_details)):
        if value not in (None, "", {}):
            payload[key] = value
    return payload


def _trigger_extras(payload, dedup_key, client, client_url, images, links):
    """The rest of a trigger's body: its payload, dedup key, client, images and links, checked."""
    extras = {"payload": payload, "dedup_key": dedup_key or uuid.uuid4().hex}
    if client:
        extras["client"] = client
    if client_url:
        if not _URL.match(client_url):
            raise EventValidationError("client_url must be an http(s):// URL, got %r" % client_url)
        extras["client_url"] = client_url
    parsed_images = parse_images(images)
    parsed_links = parse_links(links)
    if parsed_images:
        extras["images"] = parsed_images
    if parsed_links:
        extras["links"] = parsed_links
    return extras


def build_change_event(routing_key, summary, source=None, timestamp=None, custom_details=None, links=None):
    """The body of a change event, checked as PagerDuty would check it."""
    check_routing_key(routing_key)
    if not summary:
        raise EventValidationError("summary is required")
    if len(summary) > MAX_SUMMARY:
        raise EventValidationError("summary is %d characters; PagerDuty allows at most %d" % (len(summary), MAX_SUMMARY))
    if custom_details is not None and not isinstance(custom_details, dict):
        raise EventValidationError("custom_details must be a dictionary")
    payload = {"summary": summary, "timestamp": check_timestamp(timestamp) or now_timestamp()}
    if source:
        payload["source"] = source
    if custom_details:
        payload["custom_details"] = custom_details
    event = {"routing_key": routing_key, "payload": payload}
    parsed_links = parse_links(links)
    if parsed_links:
        event["links"] = parsed_links
    _check_size(event)
    return event
