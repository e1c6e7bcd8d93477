"""The audit trail's hash chain, in both its formats, and the trail as data anyone can check.

Each signing event is a record; its hash is the SHA-256 of the record written as
canonical JSON (``canonical``), and the record holds the previous event's hash,
so the trail of an endorsement is a chain. There are two formats of record:

- **Format 1**, for events recorded before issue 13: the event's fields as they
  are, the IP address and the browser (user agent) among them.
- **Format 2**, for every event since: the same fields, except that the IP
  address, the browser and the email address an email went to are each replaced
  by a salted commitment, ``SHA-256(salt ":" value)``, and the record says
  ``"chain": 2``. The chain can then be checked by someone who is not given those
  values; whoever is given a value and its salt can check it is the one committed.

An event keeps the format it was recorded in, so trails sealed before format 2
existed recompute exactly as they did. docs/adr/0009-certificate-of-completion.md.
"""

import hashlib
import json
from dataclasses import dataclass

FORMAT = "Keep it Local audit trail, version 1"
CHAIN_VERSION = 2
PERSONAL_FIELDS = ("ip_address", "user_agent", "email_address")


def canonical(record: dict) -> bytes:
    """The exact bytes an event's hash is taken over.

    Python's ``json.dumps(record, sort_keys=True, ensure_ascii=False)`` in UTF-8:
    keys in code point order, ``", "`` between items and ``": "`` after keys,
    characters other than ASCII written as themselves.
    """
    return json.dumps(record, sort_keys=True, ensure_ascii=False).encode()


def record_hash(record: dict) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def commitment(salt: str, value: str) -> str:
    """A salted commitment to ``value``: it shows nothing of it, yet fixes it."""
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def exported_event(event, *, disclose: bool) -> dict:
    """One event as the trail's data gives it: its record, its hash and, if ``disclose``,
    the personal values with the salts that open their commitments."""
    entry = {
        "kind_label": event.get_kind_display(),
        "record": event.hashed_record(),
        "event_hash": event.event_hash,
    }
    if event.chain_version >= CHAIN_VERSION and disclose:
        entry["disclosed"] = {
            name: {"value": event.personal_value(name), "salt": event.commitment_salts[name]}
            for name in PERSONAL_FIELDS
        }
    return entry


def export(*, header: dict, events: list, disclose: bool) -> bytes:
    """The trail as JSON: ``header`` (what it is the trail of) and every event, in order."""
    entries = [exported_event(event, disclose=disclose) for event in events]
    document = {
        "format": FORMAT,
        **header,
        "events": entries,
        "event_count": len(entries),
        "last_event_hash": entries[-1]["event_hash"] if entries else "",
        "how_to_check": HOW_TO_CHECK,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


HOW_TO_CHECK = [
    "Take the events in order. For each, write its record as canonical JSON: Python's"
    ' json.dumps(record, sort_keys=True, ensure_ascii=False) in UTF-8, with ", " between items'
    ' and ": " after keys.',
    "The SHA-256 of those bytes, in lower-case hex, must be the event's event_hash.",
    "The record's previous_hash must be the event_hash of the event before it (empty for the"
    " first event).",
    'A record with "chain": 2 holds commitments instead of the IP address, the browser and the'
    " email address. Where a value and its salt are disclosed, SHA-256 of the salt, a colon"
    " and the value, in UTF-8, must be the commitment in the record.",
    "The last event_hash must be the one printed in the certificate of completion.",
]


@dataclass(frozen=True)
class TrailCheck:
    """What recomputing a trail's data found."""

    event_count: int
    intact: bool
    problem: str = ""
    last_event_hash: str = ""


def check(data: bytes) -> TrailCheck:
    """Recompute a trail given as ``export`` writes it: every hash, every link, every
    disclosed value. Never raises: anything unreadable is a problem found."""
    try:
        document = json.loads(data)
        entries = document["events"]
        if not isinstance(entries, list):
            raise TypeError("events is not a list")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        return TrailCheck(0, False, f"the audit trail cannot be read ({type(exc).__name__})")
    previous = ""
    for number, entry in enumerate(entries, start=1):
        try:
            problem = _check_entry(entry, previous)
        except (ValueError, TypeError, RecursionError):  # a record JSON cannot write back
            problem = "its record cannot be read"
        if problem:
            return TrailCheck(len(entries), False, f"event {number}: {problem}", previous)
        previous = entry["event_hash"]
    if document.get("last_event_hash") != previous:
        return TrailCheck(len(entries), False, "the last event's hash is not the one given")
    return TrailCheck(len(entries), True, "", previous)


def _check_entry(entry, previous: str) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("record"), dict):
        return "it has no record"
    record = entry["record"]
    if record.get("previous_hash") != previous:
        return "it does not name the event before it"
    if record_hash(record) != entry.get("event_hash"):
        return "its hash is not the hash of its record"
    disclosed = entry.get("disclosed", {})
    if not isinstance(disclosed, dict):
        return "its disclosed values cannot be read"
    for name, opened in disclosed.items():
        if not isinstance(opened, dict) or name not in PERSONAL_FIELDS:
            return f"the disclosed {name} cannot be read"
        if commitment(str(opened.get("salt")), str(opened.get("value"))) != record.get(name):
            return f"the disclosed {name.replace('_', ' ')} is not the one committed"
    return ""
