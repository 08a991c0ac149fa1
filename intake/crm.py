"""Adapters that deliver a registration to the CRM, chosen by CRM_BACKEND.

One contract for all: `adapter.deliver(payload, known, on_person)` where
`known` is the `CrmResult` stored from earlier attempts and `on_person(id)`
is called as soon as the CRM has a person (so a later step's failure does not
lose it). Every adapter is idempotent for one delivery: it may be called again
after a timeout or a worker crash and must not create a second person. Each
raises `TemporaryError` (retry later, maybe at `retry_after` seconds) or
`PermanentError` (do not retry; an operator must look) on failure; both
carry the HTTP `status` when there was one.

`get_adapter(deadline=…)` gives the adapter a total time budget: every call
of one delivery together, connection, headers and a slowly dripping body
included, ends by then.
"""

import base64
import datetime
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.module_loading import import_string

from .locks import person_lock


class DeliveryError(Exception):
    """`status`: the HTTP status code, or None when no answer came."""

    def __init__(self, message, status=None, retry_after=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class TemporaryError(DeliveryError):
    pass


class PermanentError(DeliveryError):
    pass


class DeadlineExceeded(TemporaryError):
    pass


@dataclass
class CrmResult:
    person_id: str = ""
    followup_id: str = ""


BACKENDS = {
    "file": "intake.crm.FileAdapter",
    "webhook": "intake.crm.WebhookAdapter",
    "superoffice": "intake.crm.SuperOfficeAdapter",
}


def get_adapter(deadline=None):
    """The configured adapter; `deadline` is a `time.monotonic()` value by
    which all of this delivery's calls must be over."""
    name = settings.CRM_BACKEND
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"CRM_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}.")
    return import_string(BACKENDS[name])(deadline=deadline)


def retry_after_seconds(response):
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000" means UTC with unknown origin
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(0, int((moment - datetime.datetime.now(datetime.UTC)).total_seconds()))


def raise_for_status(response):
    """Map an HTTP answer to our error kinds: 2xx is success; 408/429/5xx retry;
    redirects and other 4xx fail (a redirected POST would lose its body)."""
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = f"HTTP {status}: {response.text[:300]}"
    if status in (408, 425, 429) or status >= 500:
        raise TemporaryError(detail, status=status, retry_after=retry_after_seconds(response))
    raise PermanentError(detail, status=status)


class Adapter:
    """The contract every CRM adapter fulfils."""

    def __init__(self, deadline=None):
        self.deadline = deadline

    def deliver(self, payload, known, on_person):
        raise NotImplementedError

    def withdraw_known(self, payload, known):
        """Unsubscribe a person the site keeps no address of (intake/retention.py);
        the payload carries `person_key`, the hash of the address."""
        return self.deliver(payload, known, None)


class HttpAdapter(Adapter):
    timeout = (5, 15)  # connect, per read; the whole delivery is bounded by `deadline`
    chunk = 8192

    def __init__(self, deadline=None):
        super().__init__(deadline)
        self.session = requests.Session()

    def remaining(self):
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("The delivery's time budget ran out.")
        return left

    def request(self, method, url, **kwargs):
        left = self.remaining()
        connect, read = self.timeout
        if left is not None:
            connect, read = min(connect, left), min(read, left)
        try:
            response = self.session.request(
                method, url, timeout=(connect, read), allow_redirects=False, stream=True, **kwargs
            )
            # Read the body against the wall clock: a server that drips a
            # byte at a time stays under the per-read timeout forever.
            body = bytearray()
            for part in response.iter_content(self.chunk):
                body += part
                self.remaining()
            response._content = bytes(body)
            response._content_consumed = True
            response.close()
        except DeadlineExceeded:
            raise
        except requests.Timeout as error:
            raise TemporaryError(f"Timed out: {error}") from error
        except requests.RequestException as error:
            raise TemporaryError(f"Could not connect: {error}") from error
        raise_for_status(response)
        return response

    @staticmethod
    def json_of(response):
        try:
            return response.json()
        except ValueError as error:
            raise TemporaryError(f"Malformed JSON from the CRM: {response.text[:200]!r}") from error


class FileAdapter(Adapter):
    """Development: append each delivery as one JSON line to CRM_FILE_PATH."""

    _lock = threading.Lock()

    def deliver(self, payload, known=None, on_person=None):
        path = Path(settings.CRM_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if path.exists():
                for line in path.read_text().splitlines():
                    if json.loads(line).get("id") == payload["id"]:
                        return CrmResult(person_id=person_key(payload))
            with path.open("a") as handle:
                handle.write(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
        return CrmResult(person_id=person_key(payload))

    def erase(self, payload, known=None):
        """An erasure is one more line in the file (identifiers only); once per delivery id."""
        return self.deliver(payload, known)


def person_key(payload):
    email = (payload.get("person", {}).get("email") or "").lower()
    return "file-" + hashlib.sha256(email.encode()).hexdigest()[:16]


def sign_webhook(secret, message_id, timestamp, body):
    """Standard Webhooks: v1,<base64 HMAC-SHA256 of "id.timestamp.body">."""
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class WebhookAdapter(HttpAdapter):
    """POST the payload as JSON, signed per the Standard Webhooks specification.

    The webhook id is the delivery's id, the same on every retry, so the
    receiver can drop repeats.
    """

    def deliver(self, payload, known=None, on_person=None):
        if not settings.CRM_WEBHOOK_URL or not settings.CRM_WEBHOOK_SECRET:
            raise PermanentError("CRM_WEBHOOK_URL and CRM_WEBHOOK_SECRET must be set.")
        body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "webhook-id": payload["id"],
            "webhook-timestamp": timestamp,
            "webhook-signature": sign_webhook(settings.CRM_WEBHOOK_SECRET, payload["id"], timestamp, body),
        }
        response = self.request("POST", settings.CRM_WEBHOOK_URL, data=body, headers=headers)
        person_id = ""
        if response.content:
            try:
                person_id = str(response.json().get("person_id") or "")
            except (ValueError, AttributeError):
                person_id = ""  # the receiver owes us no body
        return CrmResult(person_id=person_id)

    def erase(self, payload, known=None):
        """A signed `person.erased` event (identifiers only), like any delivery."""
        self.deliver(payload, known)
        return CrmResult(person_id=payload.get("crm_person_id") or "")


class SuperOfficeAuth:
    """Basic auth (on-premises) or a system-user ticket (SuperOffice Online).

    The ticket is cached per process and renewed on a 401 or after 5 hours
    (SuperOffice gives 6 hours, sliding).
    """

    _ticket = None
    _ticket_expires = 0.0
    _lock = threading.Lock()

    @staticmethod
    def left(deadline):
        return 3600 if deadline is None else max(0.1, deadline - time.monotonic())

    def headers(self, session, renew=False, deadline=None):
        if settings.SUPEROFFICE_USERNAME:
            token = f"{settings.SUPEROFFICE_USERNAME}:{settings.SUPEROFFICE_PASSWORD}"
            return {"Authorization": "Basic " + base64.b64encode(token.encode()).decode()}
        if not settings.SUPEROFFICE_SYSTEM_USER_TOKEN:
            raise PermanentError("SuperOffice credentials are not configured.")
        with self._lock:
            if renew or not type(self)._ticket or time.monotonic() > type(self)._ticket_expires:
                type(self)._ticket = self.fetch_ticket(session, deadline)
                type(self)._ticket_expires = time.monotonic() + 5 * 3600
            ticket = type(self)._ticket
        return {"Authorization": f"SOTicket {ticket}", "SO-AppToken": settings.SUPEROFFICE_CLIENT_SECRET}

    def fetch_ticket(self, session, deadline=None):
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M")
        to_sign = f"{settings.SUPEROFFICE_SYSTEM_USER_TOKEN}.{stamp}"
        key = serialization.load_pem_private_key(settings.SUPEROFFICE_PRIVATE_KEY.encode(), password=None)
        signature = base64.b64encode(key.sign(to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
        try:
            response = session.post(
                settings.SUPEROFFICE_LOGIN_URL,
                json={
                    "SignedSystemToken": f"{to_sign}.{signature}",
                    "ApplicationToken": settings.SUPEROFFICE_CLIENT_SECRET,
                    "ContextIdentifier": settings.SUPEROFFICE_CONTEXT_IDENTIFIER,
                    "ReturnTokenType": "JWT",
                },
                timeout=tuple(min(part, self.left(deadline)) for part in HttpAdapter.timeout),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise TemporaryError(f"SuperOffice login failed: {error}") from error
        response.content  # noqa: B018 - read now, inside the deadline
        raise_for_status(response)
        data = HttpAdapter.json_of(response)
        if not data.get("IsSuccessful") or not data.get("Token"):
            raise PermanentError(f"SuperOffice refused the system user: {data.get('ErrorMessage', '')}")
        # The JWT arrives over TLS from SuperOffice's own login service; we
        # read the ticket claim from it.
        claims_part = data["Token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4)))
        ticket = claims.get("http://schemes.superoffice.net/identity/ticket")
        if not ticket:
            raise PermanentError("SuperOffice's answer holds no ticket.")
        return ticket


class SuperOfficeAdapter(HttpAdapter):
    """SuperOffice REST API (SUPEROFFICE_API_URL ends in /api/v1).

    1. find the person by e-mail, or create them (Person);
    2. record consent for the purpose (PUT Person/{id}/Consent/{purpose});
    3. for guidance: one follow-up Appointment owned by the adviser, due on
       the five-working-day date. Its id is stored, so a retry never adds a
       second one.
    """

    auth = SuperOfficeAuth()

    def call(self, method, path, **kwargs):
        url = settings.SUPEROFFICE_API_URL.rstrip("/") + "/" + path.lstrip("/")
        headers = {"Accept": "application/json", "SO-Language": "sv", **kwargs.pop("headers", {})}
        auth = self.auth.headers(self.session, deadline=self.deadline)
        try:
            return self.request(method, url, headers={**headers, **auth}, **kwargs)
        except PermanentError as error:
            if error.status != 401 or settings.SUPEROFFICE_USERNAME:
                raise
            # The ticket expired: renew once and repeat.
            renewed = self.auth.headers(self.session, renew=True, deadline=self.deadline)
            return self.request(method, url, headers={**headers, **renewed}, **kwargs)

    def find_person(self, email):
        escaped = email.replace("'", "''")
        response = self.call(
            "GET",
            "Person",
            params={"$select": "personId", "$filter": f"email/emailAddress eq '{escaped}'", "$top": "1"},
        )
        rows = self.json_of(response).get("value", [])
        if rows:
            return str(rows[0].get("personId") or rows[0].get("PrimaryKey"))
        return ""

    def deliver(self, payload, known=None, on_person=None):
        """`on_person(person_id)` is called as soon as the person exists, so a
        later step's failure does not lose the id (and a retry reuses it).

        Look-up-then-create runs under a lock per person (`person_lock`), so
        two workers sending two registrations of one person at once create
        one person, not two."""
        known = known or CrmResult()
        person = payload["person"]
        if not known.person_id and person.get("email"):
            with person_lock(payload.get("person_key") or person["email"], self.deadline):
                return self.deliver_locked(payload, known, on_person)
        return self.deliver_locked(payload, known, on_person)

    def deliver_locked(self, payload, known, on_person):
        person = payload["person"]
        if payload.get("action") == "unsubscribe":
            person_id = self.find_person(person["email"])
            if person_id:
                self.call(
                    "PUT",
                    f"Person/{person_id}/Consent/EMARKETING",
                    params={"source": "WEBFORM", "legalBase": "WITHDRAWN"},
                )
            return CrmResult(person_id=person_id)
        person_id = known.person_id or (self.find_person(person["email"]) if person.get("email") else "")
        if not person_id:
            body = {
                "Firstname": person.get("first_name", ""),
                "Lastname": person.get("last_name", ""),
                "Emails": [{"Value": person["email"], "Description": "Ta steget"}] if person.get("email") else [],
                "MobilePhones": [{"Value": person["phone"]}] if person.get("phone") else [],
                "Interests": [],
                "Description": payload_summary(payload),
            }
            if settings.SUPEROFFICE_MUNICIPALITY_FIELD:
                body["CustomFields"] = {settings.SUPEROFFICE_MUNICIPALITY_FIELD: payload["municipality"]["name"]}
            created = self.json_of(self.call("POST", "Person", json=body))
            person_id = str(created.get("PersonId") or created.get("personId") or "")
            if not person_id:
                raise TemporaryError("SuperOffice created a person but returned no PersonId.")
            if on_person:
                on_person(person_id)
        consent = payload["consent"]
        self.call(
            "PUT",
            f"Person/{person_id}/Consent/{'EMARKETING' if payload['kind'] == 'newsletter' else 'STORE'}",
            params={"source": "WEBFORM", "legalBase": "61A", "comment": f"{consent['purpose']} {consent['version']}"},
        )
        followup_id = known.followup_id
        if payload["kind"] == "guidance" and not followup_id:
            due = payload["due_date"]
            appointment = {
                "Person": {"PersonId": int(person_id)},
                "Associate": {"AssociateId": payload["owner_crm_id"]} if payload.get("owner_crm_id") else None,
                "StartDate": f"{due}T09:00:00",
                "EndDate": f"{due}T09:30:00",
                "Title": f"Ta steget: första kontakt ({payload['preferred_contact']})",
                "Description": payload_summary(payload),
            }
            created = self.json_of(self.call("POST", "Appointment", json=appointment))
            followup_id = str(created.get("AppointmentId") or "")
        return CrmResult(person_id=person_id, followup_id=followup_id)

    def withdraw_known(self, payload, known):
        """A reduced newsletter subscription (no address kept): withdraw the
        e-marketing consent on the person id stored when it was delivered."""
        if not known.person_id:
            raise PermanentError(
                "No SuperOffice person id is stored for this subscription: withdraw the consent in SuperOffice by hand."
            )
        self.call(
            "PUT",
            f"Person/{known.person_id}/Consent/EMARKETING",
            params={"source": "WEBFORM", "legalBase": "WITHDRAWN"},
        )
        return CrmResult(person_id=known.person_id)

    def erase(self, payload, known=None):
        """Erase the person the site delivered: DELETE Person/{id}, or overwrite
        their name and contact details (SUPEROFFICE_ERASURE). Without a stored
        person id, or set to "manual", it fails with the step a person must take."""
        person_id = payload.get("crm_person_id") or (known.person_id if known else "")
        if not person_id:
            raise PermanentError(
                "No SuperOffice person id is stored: find and erase the person in SuperOffice by hand."
            )
        mode = settings.SUPEROFFICE_ERASURE
        if mode == "delete":
            self.call("DELETE", f"Person/{person_id}")
        elif mode == "anonymise":
            self.call(
                "PUT",
                f"Person/{person_id}",
                json={
                    "PersonId": int(person_id),
                    "Firstname": "Raderad",
                    "Lastname": "",
                    "Emails": [],
                    "MobilePhones": [],
                    "Description": "",
                },
            )
        else:
            raise PermanentError(f"Erase SuperOffice person {person_id} by hand (SUPEROFFICE_ERASURE is {mode!r}).")
        return CrmResult(person_id=person_id)


def payload_summary(payload):
    lines = [
        f"Källa: {payload['source']}",
        f"Kommun: {payload['municipality']['name']}",
        f"Kontaktsätt: {payload.get('preferred_contact') or '-'}",
    ]
    if payload.get("topics"):
        lines.append("Vill ha hjälp med: " + ", ".join(payload["topics"]))
    if payload.get("message"):
        lines.append("Meddelande: " + payload["message"])
    return "\n".join(lines)
