"""The erasure ledger: every erasure, written outside the database, so that a
restored backup cannot bring an erased person back (docs/backups.md).

One JSON object per erasure in the `erasure_ledger` storage (a bucket with
object lock or versioning in production, `var/erasure-ledger/` otherwise),
named `ledger/YYYY/MM/DD/<uuid>.json`. The site only ever adds objects: it
never overwrites or deletes one. An entry holds keyed hashes (HMAC-SHA256
with ERASURE_LEDGER_KEY) of the person's e-mail addresses and phone numbers,
the time of the erasure and the receipt's number — never an address.

The e-mail hash is taken over the address's `person_key` (SHA-256 of the
trimmed, lower-cased address), so a reduced newsletter subscription, which
keeps only that SHA-256, is matched too. Phone numbers are hashed as
international digits (`people.phone_digits`), so every way of writing one
matches.

The entry is written after the erasure commits. Until it is written it waits
on the receipt (`ErasureReceipt.ledger_entry`); a write that fails is logged,
shown to the data protection officer and retried every hour by
`housekeeping` (`write_pending`).
"""

import hashlib
import hmac
import json
import logging
import uuid
from datetime import UTC

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from intake.subscribers import person_key
from tasteget.personal_data import phone_digits

from .models import ErasureReceipt

logger = logging.getLogger(__name__)

STORAGE = "erasure_ledger"
PREFIX = "ledger"
VERSION = 1


def storage():
    return storages[STORAGE]


def ledger_key():
    """ERASURE_LEDGER_KEY, or a key derived from SECRET_KEY when it is not set."""
    if settings.ERASURE_LEDGER_KEY:
        return settings.ERASURE_LEDGER_KEY.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"tasteget.erasure-ledger", hashlib.sha256).hexdigest().encode()


def key_id():
    """Names the key without revealing it: entries written with another key cannot be matched."""
    return hmac.new(ledger_key(), b"key-id", hashlib.sha256).hexdigest()[:16]


class Hasher:
    """Keyed hashes of e-mail keys and phone digits; each value is hashed once."""

    def __init__(self):
        self.key = ledger_key()
        self.cache = {}

    def digest(self, kind, value):
        if not value:
            return None
        token = f"{kind}:{value}"
        if token not in self.cache:
            self.cache[token] = hmac.new(self.key, token.encode(), hashlib.sha256).hexdigest()
        return self.cache[token]

    def email(self, email="", person_hash=""):
        """From the address, or from its SHA-256 (`person_key`) when only that is kept."""
        return self.digest("email", person_key(email) if email else person_hash)

    def phone(self, phone):
        digits = phone_digits(phone)
        return self.digest("phone", digits) if len(digits) >= 6 else None


def person_hashes(person, query=""):
    """The keyed hashes of every address and phone number that identified the erased person."""
    hasher = Hasher()
    emails = {hasher.email(email) for email in person.emails}
    emails.update(hasher.email(person_hash=key) for key in person.email_keys)
    phones = {hasher.phone(phone) for phone in person.phones}
    if person.query_kind == "phone" and len(phone_digits(query)) >= 6:
        phones.add(hasher.phone(query))
    return sorted(emails - {None}), sorted(phones - {None})


def new_entry(person, erased_at, query=""):
    """(object name, entry) for one erasure; the receipt number is added once it exists."""
    entry_id = uuid.uuid4().hex
    emails, phones = person_hashes(person, query)
    entry = {
        "version": VERSION,
        "id": entry_id,
        "erased_at": erased_at.isoformat(),
        "key_id": key_id(),
        "email_hashes": emails,
        "phone_hashes": phones,
    }
    day = erased_at.astimezone(UTC)
    return f"{PREFIX}/{day:%Y/%m/%d}/{entry_id}.json", entry


def write(receipt_id):
    """Write the receipt's entry to the ledger, once; True when it is there."""
    receipt = ErasureReceipt.objects.filter(pk=receipt_id).first()
    if receipt is None or not receipt.ledger_pending:
        return True
    ledger = storage()
    try:
        if not ledger.exists(receipt.ledger_name):
            content = json.dumps({**receipt.ledger_entry, "receipt": receipt.pk}, sort_keys=True).encode()
            saved = ledger.save(receipt.ledger_name, ContentFile(content))
            if saved != receipt.ledger_name:  # another object by that name appeared meanwhile
                raise OSError(f"the ledger stored {saved!r} instead of {receipt.ledger_name!r}")
    except Exception:
        logger.exception("Erasure #%s could not be written to the erasure ledger; retried hourly", receipt.pk)
        return False
    ErasureReceipt.objects.filter(pk=receipt.pk).update(ledger_entry={}, ledger_written_at=timezone.now())
    return True


def pending():
    return ErasureReceipt.objects.filter(ledger_written_at__isnull=True).exclude(ledger_name="")


def write_pending():
    """Retry every entry that is not written yet (housekeeping, hourly); return how many are still waiting."""
    waiting = 0
    for receipt_id in pending().values_list("pk", flat=True):
        if not write(receipt_id):
            waiting += 1
    if waiting:
        logger.error("%s erasure(s) still not written to the erasure ledger", waiting)
    return waiting


def names(folder=PREFIX):
    """Every entry's object name, walking the dated folders."""
    ledger = storage()
    try:
        folders, files = ledger.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        if name.endswith(".json"):
            yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from names(f"{folder}/{sub}")


def entries():
    """(name, entry or None when unreadable) for every object in the ledger."""
    ledger = storage()
    for name in names():
        try:
            with ledger.open(name, "rb") as handle:
                entry = json.loads(handle.read())
            if not isinstance(entry, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as error:
            logger.error("Erasure ledger entry %s cannot be read: %s", name, error)
            entry = None
        yield name, entry


def entry_time(entry):
    try:
        moment = parse_datetime(str(entry.get("erased_at") or "")) if isinstance(entry, dict) else None
    except ValueError:
        return None
    return moment if moment and timezone.is_aware(moment) else None
