"""SuperOffice: its REST API, a system user's ticket, and the tenant that moves."""

import base64
import datetime
import json
import threading
import time
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ...choices import ContactMethod, MoveWhen, Topic
from ..locks import person_lock
from .base import CrmResult, HttpAdapter, PermanentError, TemporaryError, raise_for_status


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
        webapi_url = claims.get("http://schemes.superoffice.net/identity/webapi_url")
        if webapi_url:  # where the tenant is now: it moves between servers
            SuperOfficeAdapter.tenant_moved(webapi_url)
        return ticket


REDIRECTS = (301, 302, 303, 307, 308)
DESCRIPTION_LIMIT = 2047  # SuperOffice keeps at most this many characters
MARKER_PREFIX = "Ta steget-ref:"


class SuperOfficeAdapter(HttpAdapter):
    """SuperOffice REST API (SUPEROFFICE_API_URL ends in /api/v1).

    1. find the person (by e-mail; without one, by name and postal address)
       or create them from `GET Person/default`; on every delivery of a
       guidance registration the municipality list item is written;
    2. record consent (PUT Person/{id}/Consent/{purpose}): STORE, and
       EMARKETING for the newsletter or the guidance form's newsletter wish;
    3. for guidance: one follow-up Appointment from `GET Appointment/default`
       (its Type and Task), owned by the adviser, due on the five-working-day
       date. It carries a marker (the delivery's id) that is looked up before
       creating, so a lost answer never makes a second one.

    A repeat registration on an open case (`action: update`) takes steps 1
    and 2 on the person the case's own delivery stored: no second person,
    no second follow-up.

    A redirect from the web API means SuperOffice moved the tenant: the new
    address comes from the tenant-state API (or the login's `webapi_url`),
    is kept for the process, and the call is repeated there.
    """

    auth = SuperOfficeAuth()
    _moved_to = None  # the tenant's current web API, once it has moved (per process)

    @classmethod
    def api_url(cls):
        return (cls._moved_to or settings.SUPEROFFICE_API_URL).rstrip("/")

    @classmethod
    def tenant_moved(cls, api_url):
        """Remember where the tenant is now ("…/api/v1")."""
        api_url = api_url.rstrip("/")
        if not api_url.endswith("/v1"):
            api_url += "/v1"
        cls._moved_to = None if api_url == settings.SUPEROFFICE_API_URL.rstrip("/") else api_url

    def call(self, method, path, **kwargs):
        try:
            return self.call_here(method, path, **kwargs)
        except PermanentError as error:
            if error.status not in REDIRECTS:
                raise
        self.locate_tenant()
        return self.call_here(method, path, **kwargs)

    def call_here(self, method, path, **kwargs):
        headers = {"Accept": "application/json", "SO-Language": "sv", **kwargs.pop("headers", {})}
        auth = self.auth.headers(self.session, deadline=self.deadline)
        try:
            return self.request(method, self.api_url() + "/" + path, headers={**headers, **auth}, **kwargs)
        except PermanentError as error:
            if error.status != 401 or settings.SUPEROFFICE_USERNAME:
                raise
        # The ticket expired: renew once (the login also says where the tenant is now) and repeat.
        renewed = self.auth.headers(self.session, renew=True, deadline=self.deadline)
        return self.request(method, self.api_url() + "/" + path, headers={**headers, **renewed}, **kwargs)

    def locate_tenant(self):
        """The web API answered with a redirect: SuperOffice moved the tenant.
        Ask the tenant-state API where it is now; never follow the redirect
        itself (it would take our credentials wherever it points)."""
        if not settings.SUPEROFFICE_TENANT_STATE_URL:
            raise TemporaryError(
                "SuperOffice redirected the call: the tenant has probably moved. Set SUPEROFFICE_API_URL to its "
                "new address (or SUPEROFFICE_TENANT_STATE_URL on SuperOffice Online).",
                status=307,
            )
        state_url = settings.SUPEROFFICE_TENANT_STATE_URL.replace("{context}", settings.SUPEROFFICE_CONTEXT_IDENTIFIER)
        state = self.json_of(self.request("GET", state_url, headers={"Accept": "application/json"}))
        api = state.get("Api") or (state.get("Endpoint", "").rstrip("/") + "/api" if state.get("Endpoint") else "")
        if not api or state.get("IsRunning") is False:
            raise TemporaryError(f"The SuperOffice tenant is not running ({state.get('State', 'unknown state')}).")
        type(self).tenant_moved(api)

    def archive(self, path, where):
        response = self.call("GET", path, params={"$select": "PrimaryKey", "$filter": where, "$top": "2"})
        rows = self.json_of(response).get("value", [])
        return [str(row.get("PrimaryKey") or row.get("personId") or "") for row in rows]

    def find_person(self, email):
        rows = self.archive("Person", f"email/emailAddress eq '{odata(email)}'")
        return rows[0] if rows else ""

    def find_by_address(self, person, address):
        """A magazine order without e-mail: the one person with this name at
        this postal address, or none (two matches: create rather than guess)."""
        if not (person.get("last_name") and address and address.get("street_address") and address.get("postal_code")):
            return ""
        rows = self.archive(
            "Person",
            f"firstName eq '{odata(person.get('first_name', ''))}' and lastName eq '{odata(person['last_name'])}'"
            f" and personAddress/line1 eq '{odata(address['street_address'])}'"
            f" and personAddress/zip eq '{odata(address['postal_code'])}'",
        )
        return rows[0] if len(rows) == 1 else ""

    def deliver(self, payload, known=None, on_person=None):
        """`on_person(person_id)` is called as soon as the person exists, so a
        later step's failure does not lose the id (and a retry reuses it).

        Look-up-then-create runs under a lock per person (`person_lock`), so
        two workers sending two registrations of one person at once create
        one person, not two."""
        known = known or CrmResult()
        person = payload["person"]
        lock_key = payload.get("person_key") or person.get("email") or name_and_address(payload)
        if not known.person_id and lock_key:
            with person_lock(lock_key, self.deadline):
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
        person_id = known.person_id
        if not person_id:
            if person.get("email"):
                person_id = self.find_person(person["email"])
            else:
                person_id = self.find_by_address(person, payload.get("postal_address"))
        if person_id:
            self.update_person(person_id, payload)
        else:
            person_id = self.create_person(payload)
            if on_person:
                on_person(person_id)
        consent = payload["consent"]
        purposes = ["EMARKETING"] if payload["kind"] == "newsletter" else ["STORE"]
        if payload.get("newsletter_opt_in") and payload["kind"] != "newsletter":
            purposes.append("EMARKETING")
        for purpose in purposes:
            self.call(
                "PUT",
                f"Person/{person_id}/Consent/{purpose}",
                params={
                    "source": "WEBFORM",
                    "legalBase": "61A",
                    "comment": f"{consent['purpose']} {consent['version']}",
                },
            )
        followup_id = known.followup_id
        if payload.get("action") == "update" and known.person_id:
            # A repeat registration on a case the CRM already has: the person
            # is updated (above), the adviser's follow-up stays the one there is.
            return CrmResult(person_id=person_id)
        if payload["kind"] == "guidance" and not followup_id:
            followup_id = self.followup(person_id, payload)
        if (
            payload["kind"] == "event"
            and payload.get("event")
            and payload.get("action") == "register"
            and not followup_id
        ):
            followup_id = self.followup(person_id, payload)
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

    def update_preferences(self, payload, known):
        """SuperOffice keeps a subscriber's interests only in the person's
        description written when they were created, and newsletter subscribers
        get no municipality field (docs/crm-bridge.md): there is nothing to
        write a change to. Like a manual erasure, the delivery fails with the
        step a person must take; the registration shows the new choices."""
        where = f"SuperOffice person {known.person_id}" if known.person_id else "the subscriber in SuperOffice"
        raise PermanentError(
            f"A newsletter subscriber changed their interests, municipality or language on the site: update {where} "
            "by hand from this registration."
        )

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

    def person_fields(self, payload):
        """What every delivery writes on the person: the municipality's list
        item (guidance only: magazine and newsletter name the Region) and the
        magazine's postal address."""
        fields = {}
        municipality = payload["municipality"]
        item = municipality.get("crm_list_item_id")
        if settings.SUPEROFFICE_MUNICIPALITY_FIELD and payload["kind"] == "guidance" and item:
            fields["CustomFields"] = {settings.SUPEROFFICE_MUNICIPALITY_FIELD: str(item)}
        address = payload.get("postal_address")
        if address and address.get("street_address"):
            fields["Address"] = {
                "Postal": {
                    "Address1": address["street_address"],
                    "Zipcode": address.get("postal_code", ""),
                    "City": address.get("town", ""),
                }
            }
        return fields

    def create_person(self, payload):
        person = payload["person"]
        body = self.json_of(self.call("GET", "Person/default"))
        first, last = person.get("first_name", "").strip(), person.get("last_name", "").strip()
        if not (first or last):
            last = settings.SUPEROFFICE_UNNAMED_LASTNAME  # e-mail only: never a nameless person
        body.update(
            Firstname=first,
            Lastname=last,
            Emails=[{"Value": person["email"], "Description": "Ta steget"}] if person.get("email") else [],
            MobilePhones=[{"Value": person["phone"]}] if person.get("phone") else [],
            Description=truncate(payload_summary(payload)),
        )
        if settings.SUPEROFFICE_PERSON_CONTACT_ID:
            body["Contact"] = {"ContactId": settings.SUPEROFFICE_PERSON_CONTACT_ID}
        fields = self.person_fields(payload)
        body["CustomFields"] = dict({**(body.get("CustomFields") or {}), **fields.pop("CustomFields", {})}.items())
        body.update(fields)
        created = self.json_of(self.call("POST", "Person", json=body))
        person_id = str(created.get("PersonId") or created.get("personId") or "")
        if not person_id or person_id == "0":
            raise TemporaryError("SuperOffice created a person but returned no PersonId.")
        return person_id

    def update_person(self, person_id, payload):
        """A returning person: their new choice of municipality and address."""
        fields = self.person_fields(payload)
        operations = [
            {"op": "replace", "path": f"CustomFields/{key}", "value": value}
            for key, value in fields.get("CustomFields", {}).items()
        ]
        if "Address" in fields:
            operations.append({"op": "replace", "path": "Address", "value": fields["Address"]})
        if operations:
            self.call("PATCH", f"Person/{person_id}", json=operations)

    def followup(self, person_id, payload):
        """The adviser's follow-up: found by its marker, or created once."""
        marker = f"{MARKER_PREFIX} {payload['id']}"
        existing = self.archive("Appointment", f"person/personId eq {int(person_id)} and text contains '{marker}'")
        if existing:
            return existing[0]
        owner = payload.get("owner_crm_id") or settings.SUPEROFFICE_FALLBACK_OWNER_ID
        if not owner:
            raise PermanentError(
                f"No moving adviser of {payload['municipality']['name']} has a CRM owner id, so the follow-up would "
                "belong to the API user. Set the advisers' CRM owner id (or SUPEROFFICE_FALLBACK_OWNER_ID) and retry."
            )
        appointment = self.json_of(self.call("GET", "Appointment/default"))
        if settings.SUPEROFFICE_FOLLOWUP_TASK_ID:
            # A TaskListItem is keyed TaskListItemId (SuperOffice's AppointmentEntity), not Id.
            appointment["Task"] = {"TaskListItemId": int(settings.SUPEROFFICE_FOLLOWUP_TASK_ID)}
        if appointment.get("Type") in (None, 0, "0", "unknown", "Unknown") or not (appointment.get("Task") or {}).get(
            "TaskListItemId"
        ):
            raise PermanentError(
                "SuperOffice's Appointment/default gives no appointment type or task; set "
                "SUPEROFFICE_FOLLOWUP_TASK_ID (see manage.py crm_check)."
            )
        event = payload.get("event") if payload["kind"] == "event" else None
        if event:
            # A meet-up sign-up: the participant in the organiser's diary at the meet-up's own time.
            start = datetime.datetime.fromisoformat(event["starts_at"])
            end = datetime.datetime.fromisoformat(event["ends_at"])
            with translation.override("sv"):
                title = _("Ta steget: meet-up %(title)s") % {"title": event["title"]}
        else:
            start = followup_start(payload["due_date"])
            end = start + datetime.timedelta(minutes=30)
            with translation.override("sv"):
                title = _("Ta steget: first contact (%(method)s)") % {
                    "method": label(ContactMethod, payload.get("preferred_contact")) or "-"
                }
        appointment.update(
            Person={"PersonId": int(person_id)},
            Associate={"AssociateId": int(owner)},
            StartDate=start.isoformat(),
            EndDate=end.isoformat(),
            Title=title,
            Description=truncate(marker + "\n" + payload_summary(payload)),
        )
        appointment.pop("AppointmentId", None)
        created = self.json_of(self.call("POST", "Appointment", json=appointment))
        return str(created.get("AppointmentId") or "")


def odata(value):
    return str(value).replace("'", "''")


def name_and_address(payload):
    """A lock key for a person known only by name and postal address (not `Registration.address_key`)."""
    address = payload.get("postal_address") or {}
    parts = [payload["person"].get("first_name"), payload["person"].get("last_name"), address.get("street_address")]
    parts.append(address.get("postal_code"))
    return "|".join((part or "").strip().lower() for part in parts) if all(parts) else ""


def followup_start(due_date):
    """The due date at SUPEROFFICE_FOLLOWUP_HOUR in the site's time zone, with its offset."""
    day = datetime.date.fromisoformat(due_date)
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time(settings.SUPEROFFICE_FOLLOWUP_HOUR), tzinfo=zone)


def truncate(text, limit=DESCRIPTION_LIMIT):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label(choices, value):
    return str(dict(choices.choices).get(value, value)) if value else ""


def payload_summary(payload):
    """What the adviser reads on the person and the follow-up: Swedish labels, not codes."""
    with translation.override("sv"):
        lines = [
            _("Source: %(source)s") % {"source": payload["source"]},
            _("Municipality: %(name)s") % {"name": payload["municipality"]["name"]},
            _("Preferred contact: %(method)s")
            % {"method": label(ContactMethod, payload.get("preferred_contact")) or "-"},
        ]
        if payload.get("move_when"):
            lines.append(_("Planned move: %(when)s") % {"when": label(MoveWhen, payload["move_when"])})
        if payload.get("topics"):
            topics = ", ".join(label(Topic, topic) for topic in payload["topics"])
            lines.append(_("Wants help with: %(topics)s") % {"topics": topics})
        if payload.get("event"):
            status = payload["event"]["status"]
            lines.append(
                _("Meet-up: %(title)s, %(starts)s")
                % {"title": payload["event"]["title"], "starts": payload["event"]["starts_at"][:16].replace("T", " ")}
            )
            lines.append(
                _("Place: %(status)s")
                % {"status": _("on the waiting list") if status == "waiting" else _("has a place")}
            )
        if payload.get("magazine_issue"):
            lines.append(_("Magazine issue: %(issue)s") % {"issue": payload["magazine_issue"]})
        if payload.get("message"):
            lines.append(_("Message: %(message)s") % {"message": payload["message"]})
        return "\n".join(lines)
