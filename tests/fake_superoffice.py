"""A strict SuperOffice tenant on 127.0.0.1, built from SuperOffice's
published REST reference (docs.superoffice.com; see /work/shared and
docs/crm-bridge.md, "Requests the bridge makes").

It rejects what the real API rejects, with SuperOffice's error body
`{"Error": true, "ErrorType", "ErrorMessage", "ErrorSource"}`:
- no or wrong `Authorization` (Basic user:password, or `SOTicket` plus
  `SO-AppToken`) → 401;
- a person with neither first nor last name, without `Contact` when the
  tenant has `MandatoryContactOnPerson`, a `Description` over 2,047
  characters, a custom field value that is not a string or, for the list
  field, not one of its list item ids → 400;
- an appointment whose `Associate`, `Person` or `Task` does not exist, or
  whose dates do not parse → 400; unknown ids → 404 `SoNotFoundException`;
- a consent purpose, source or legal base the tenant does not know → 400.

Failures are scripted: `plan` answers the next API requests in order
(`(status, headers, body)`; `("lose",)` does the work and then hangs up
without an answer), `fail_on[(method, path)]` does the same for one
endpoint. `move()` moves the tenant to a new address: the old one answers
with a redirect, the tenant-state API and the login's JWT tell the new one.

State to assert on: `persons`, `appointments`, `consents`, `patches`,
`requests`, `webhooks`.
"""

import base64
import datetime
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

CONTEXT = "Cust12345"
USERNAME, PASSWORD = "tasteget", "secret"
TICKET, APP_TOKEN = "7T:1234ABCD", "app-secret"
API_USER = 5  # the associate the API signs in as
TICKET_CLAIM = "http://schemes.superoffice.net/identity/ticket"
WEBAPI_CLAIM = "http://schemes.superoffice.net/identity/webapi_url"


def error(error_type, message):
    return {"Error": True, "ErrorType": error_type, "ErrorMessage": message, "ErrorSource": "NetServer"}


class Rejected(Exception):
    def __init__(self, status, error_type, message):
        super().__init__(message)
        self.status, self.body = status, error(error_type, message)


class FakeSuperOffice(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.tenant_path = "/cust12345-a"  # the tenant's web API lives here, under /api/v1
        self.old_paths = set()  # where the tenant was: these answer with a redirect
        self.plan = []
        self.fail_on = {}
        self.requests = []
        self.persons = {}
        self.appointments = {}
        self.consents = []  # (person id, purpose, source, legal base)
        self.patches = []
        self.webhooks = {}
        self.mandatory_contact = False
        self.contacts = {1: "Ta steget – privatpersoner"}
        self.associates = {API_USER: "API-användare", 17: "Sara Åre", 18: "Olle Östersund", 19: "Region"}
        self.task_items = {3: "Första kontakt"}
        self.list_field = "SuperOffice:3"  # the municipality list field and its list (udlist 40)
        self.list_id = 40
        self.list_items = {12: "Åre", 13: "Östersund", 14: "Berg"}
        self.move_field = "SuperOffice:4"
        self.purposes = {"STORE", "EMARKETING"}
        self.sources = {"WEBFORM", "USER", "API"}
        self.legal_bases = {"61A", "61B", "61F", "WITHDRAWN"}
        self.next_id = 100

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def api_url(self):
        return f"{self.url}{self.tenant_path}/api/v1"

    def move(self):
        """SuperOffice moves the tenant to another server."""
        self.old_paths.add(self.tenant_path)
        self.tenant_path = f"{self.tenant_path[:-2]}-{chr(ord(self.tenant_path[-1]) + 1)}"

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def token(self):
        """The login answer's JWT: the ticket and where the web API is now."""
        claims = {TICKET_CLAIM: TICKET, "http://schemes.superoffice.net/identity/ctx": CONTEXT, WEBAPI_CLAIM: ""}
        claims[WEBAPI_CLAIM] = f"{self.url}{self.tenant_path}/api/"

        def part(value):
            return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

        return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"

    def person_for_filter(self, text):
        """The person archive with the filters the bridge uses."""
        clauses = dict(re.findall(r"(\w+(?:/\w+)?) eq '((?:[^']|'')*)'", text))
        clauses = {key: value.replace("''", "'") for key, value in clauses.items()}
        if not clauses:
            raise Rejected(400, "ArchiveException", f"Cannot parse $filter {text!r}.")
        found = []
        for person_id, person in self.persons.items():
            postal = (person.get("Address") or {}).get("Postal") or {}
            values = {
                "email/emailAddress": [e["Value"].lower() for e in person.get("Emails", [])],
                "firstName": [person.get("Firstname", "")],
                "lastName": [person.get("Lastname", "")],
                "personAddress/line1": [postal.get("Address1", "")],
                "personAddress/zip": [postal.get("Zipcode", "")],
            }
            unknown = set(clauses) - set(values)
            if unknown:
                raise Rejected(400, "ArchiveException", f"Unknown column {sorted(unknown)[0]}.")
            if all(value.lower() in [v.lower() for v in values[key]] for key, value in clauses.items()):
                found.append({"personId": person_id, "PrimaryKey": person_id})
        return found


def parse_date(value, field):
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError) as failure:
        raise Rejected(400, "ArgumentException", f"{field} is not a date and time.") from failure
    return moment


def check_person(server, body, creating):
    if creating and not (str(body.get("Firstname") or "").strip() or str(body.get("Lastname") or "").strip()):
        raise Rejected(400, "ValidationException", "A person must have a first name or a last name.")
    contact = body.get("Contact") or {}
    if creating and server.mandatory_contact and contact.get("ContactId") not in server.contacts:
        raise Rejected(400, "ValidationException", "Company is mandatory (MandatoryContactOnPerson).")
    if len(body.get("Description") or "") > 2047:
        raise Rejected(400, "ValidationException", "Description is longer than 2047 characters.")
    for key in ("Emails", "MobilePhones", "PrivatePhones"):
        for item in body.get(key) or []:
            if not isinstance(item, dict) or not isinstance(item.get("Value"), str):
                raise Rejected(400, "SerializationException", f"{key} must hold objects with a string Value.")
    check_custom_fields(server, body.get("CustomFields") or {})
    address = body.get("Address")
    if address is not None and not all(isinstance(v, str) for v in (address.get("Postal") or {}).values()):
        raise Rejected(400, "SerializationException", "Address.Postal values must be strings.")


def check_custom_fields(server, fields):
    for key, value in fields.items():
        if not re.fullmatch(r"SuperOffice:\d+|x_\w+", key):
            raise Rejected(400, "ArgumentException", f"Unknown custom field {key}.")
        if not isinstance(value, str):
            raise Rejected(400, "SerializationException", f"Custom field {key} takes a string.")
        if key == server.list_field and value and (not value.isdigit() or int(value) not in server.list_items):
            raise Rejected(400, "ArgumentException", f"{value!r} is not a list item id of {key}.")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def hang_up(self):
        self.close_connection = True
        self.request.shutdown(2)

    def handle_any(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlparse(self.path)
        with server.lock:
            server.requests.append(
                {
                    "method": self.command,
                    "path": url.path,
                    "query": parse_qs(url.query),
                    "body": raw,
                    "headers": dict(self.headers),
                }
            )
        if url.path == "/Login/api/PartnerSystemUser/Authenticate":
            return self.reply(200, {"IsSuccessful": True, "ErrorMessage": "", "Token": server.token()})
        if url.path == f"/api/state/{CONTEXT}":
            endpoint = server.url + server.tenant_path
            return self.reply(
                200,
                {
                    "ContextIdentifier": CONTEXT,
                    "Endpoint": endpoint,
                    "Api": endpoint + "/api",
                    "State": "Running",
                    "IsRunning": True,
                },
            )
        for old in server.old_paths:
            if url.path.startswith(old + "/"):
                moved = server.url + server.tenant_path + url.path[len(old) :]
                return self.reply(307, b"", {"Location": moved})
        prefix = server.tenant_path + "/api/v1/"
        if not url.path.startswith(prefix):
            return self.reply(404, error("SoNotFoundException", "No such tenant."))
        path = url.path[len(prefix) :]
        if not self.authorised():
            return self.reply(401, error("SoCredentialsException", "Not authorised."))
        planned = None
        with server.lock:
            queue = server.fail_on.get((self.command, path))
            if queue:
                planned = queue.pop(0)
            elif server.plan:
                planned = server.plan.pop(0)
        if planned and planned[0] != "lose":
            status, headers, payload = planned
            return self.reply(status, payload, headers)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return self.reply(400, error("SerializationException", "The body is not JSON."))
        try:
            with server.lock:
                status, answer = self.route(path, parse_qs(url.query), body)
        except Rejected as rejected:
            return self.reply(rejected.status, rejected.body)
        if planned:  # ("lose",): done, but the answer never arrives
            return self.hang_up()
        return self.reply(status, answer if answer is not None else b"")

    def authorised(self):
        given = self.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        return given == basic or (given == f"SOTicket {TICKET}" and self.headers.get("SO-AppToken") == APP_TOKEN)

    def route(self, path, query, body):
        server = self.server
        method = self.command
        if (method, path) == ("GET", "Person/default"):
            return 200, {
                "PersonId": 0,
                "Firstname": "",
                "Lastname": "",
                "Emails": [],
                "MobilePhones": [],
                "Contact": None,
                "Associate": {"AssociateId": API_USER},
                "Interests": [],
                "Consents": [],
                "Description": "",
                "Address": {"Postal": {}},
                "CustomFields": {server.list_field: "", server.move_field: ""},
            }
        if (method, path) == ("GET", "Appointment/default"):
            return 200, {
                "AppointmentId": 0,
                "Type": "inDiary",
                # A TaskListItem, keyed TaskListItemId (AppointmentEntity in SuperOffice's REST reference).
                "Task": {"TaskListItemId": 3, "Value": "Första kontakt", "Tooltip": "", "Deleted": False},
                "Associate": {"AssociateId": API_USER},
                "Completed": "NotStarted",
                "Description": "",
                "StartDate": "2026-01-01T08:00:00",
                "EndDate": "2026-01-01T08:30:00",
            }
        if (method, path) == ("GET", "Person"):
            return 200, {"value": server.person_for_filter(query.get("$filter", [""])[0])}
        if (method, path) == ("POST", "Person"):
            check_person(server, body, creating=True)
            person_id = server.new_id()
            server.persons[person_id] = {**body, "PersonId": person_id}
            return 201, server.persons[person_id]
        match = re.fullmatch(r"Person/(\d+)", path)
        if match:
            person = server.persons.get(int(match[1]))
            if person is None:
                raise Rejected(404, "SoNotFoundException", "No such person.")
            if method == "PATCH":
                return 200, self.patch(person, body)
            return 200, person
        match = re.fullmatch(r"Person/(\d+)/Consent/(\w+)", path)
        if match and method == "PUT":
            if int(match[1]) not in server.persons:
                raise Rejected(404, "SoNotFoundException", "No such person.")
            source, legal = query.get("source", [""])[0], query.get("legalBase", [""])[0]
            if match[2] not in server.purposes or source not in server.sources or legal not in server.legal_bases:
                raise Rejected(400, "ArgumentException", "Unknown consent purpose, source or legal base.")
            server.consents.append((int(match[1]), match[2], source, legal))
            return 204, None
        if (method, path) == ("GET", "Appointment"):
            text = query.get("$filter", [""])[0]
            wanted = re.fullmatch(r"person/personId eq (\d+) and text contains '((?:[^']|'')*)'", text)
            if not wanted:
                raise Rejected(400, "ArchiveException", f"Cannot parse $filter {text!r}.")
            marker = wanted[2].replace("''", "'")
            rows = [
                {"appointmentId": key, "PrimaryKey": key}
                for key, row in server.appointments.items()
                if row["Person"]["PersonId"] == int(wanted[1]) and marker in (row.get("Description") or "")
            ]
            return 200, {"value": rows}
        if (method, path) == ("POST", "Appointment"):
            return 201, self.create_appointment(body)
        match = re.fullmatch(r"Appointment/(\d+)", path)
        if match and method == "GET":
            if int(match[1]) not in server.appointments:
                raise Rejected(404, "SoNotFoundException", "No such appointment.")
            return 200, server.appointments[int(match[1])]
        match = re.fullmatch(r"Associate/(\d+)", path)
        if match:
            if int(match[1]) not in server.associates:
                raise Rejected(404, "SoNotFoundException", "No such associate.")
            return 200, {"AssociateId": int(match[1]), "Name": server.associates[int(match[1])]}
        match = re.fullmatch(r"Contact/(\d+)", path)
        if match:
            if int(match[1]) not in server.contacts:
                raise Rejected(404, "SoNotFoundException", "No such company.")
            return 200, {"ContactId": int(match[1]), "Name": server.contacts[int(match[1])]}
        match = re.fullmatch(r"List/(\w+)/Items", path)
        if match:
            return 200, self.list_items(match[1])
        if (method, path) == ("GET", "Webhook"):
            return 200, list(server.webhooks.values())
        if (method, path) == ("POST", "Webhook"):
            webhook_id = server.new_id()
            server.webhooks[webhook_id] = {**body, "WebhookId": webhook_id}
            return 201, server.webhooks[webhook_id]
        match = re.fullmatch(r"Webhook/(\d+)", path)
        if match and method == "PUT":
            server.webhooks[int(match[1])] = {**body, "WebhookId": int(match[1])}
            return 200, server.webhooks[int(match[1])]
        raise Rejected(404, "SoNotFoundException", f"No endpoint {method} {path}.")

    def list_items(self, name):
        server = self.server
        named = {"ConsentPurpose": server.purposes, "ConsentSource": server.sources, "LegalBase": server.legal_bases}
        if name in named:
            return [{"Id": index, "Name": key.title(), "Key": key} for index, key in enumerate(sorted(named[name]), 1)]
        if name == f"udlist{server.list_id}":
            return [{"Id": item_id, "Name": label} for item_id, label in server.list_items.items()]
        raise Rejected(404, "SoNotFoundException", f"No list {name}.")

    def patch(self, person, operations):
        if not isinstance(operations, list):
            raise Rejected(400, "SerializationException", "PATCH takes a JSON Patch list.")
        for operation in operations:
            field = operation.get("path", "").strip("/")
            if operation.get("op") not in ("add", "replace"):
                raise Rejected(400, "ArgumentException", f"Unsupported op {operation.get('op')}.")
            if field.startswith("CustomFields/"):
                check_custom_fields(self.server, {unquote(field.split("/", 1)[1]): operation.get("value")})
                person.setdefault("CustomFields", {})[unquote(field.split("/", 1)[1])] = operation["value"]
            elif field == "Address":
                check_person(self.server, {"Address": operation.get("value")}, creating=False)
                person["Address"] = operation["value"]
            else:
                raise Rejected(400, "ArgumentException", f"Cannot patch {field}.")
        self.server.patches.append((person["PersonId"], operations))
        return person

    def create_appointment(self, body):
        server = self.server
        associate = (body.get("Associate") or {}).get("AssociateId")
        if associate not in server.associates:
            raise Rejected(400, "SoNotFoundException", f"Associate {associate} does not exist.")
        if (body.get("Person") or {}).get("PersonId") not in server.persons:
            raise Rejected(400, "SoNotFoundException", "The appointment's person does not exist.")
        given = body.get("Task") or {}
        if "TaskListItemId" not in given:
            # What NetServer makes of {"Id": 3}: no TaskListItemId, so no task.
            raise Rejected(400, "ValidationException", f"The appointment's Task has no TaskListItemId: {given}.")
        task = given["TaskListItemId"]
        if task not in server.task_items:
            raise Rejected(400, "SoNotFoundException", f"Task {task} does not exist.")
        start, end = parse_date(body.get("StartDate"), "StartDate"), parse_date(body.get("EndDate"), "EndDate")
        if end < start:
            raise Rejected(400, "ValidationException", "EndDate is before StartDate.")
        if len(body.get("Description") or "") > 2047:
            raise Rejected(400, "ValidationException", "Description is longer than 2047 characters.")
        appointment_id = server.new_id()
        server.appointments[appointment_id] = {**body, "AppointmentId": appointment_id}
        return server.appointments[appointment_id]

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def start():
    server = FakeSuperOffice()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
