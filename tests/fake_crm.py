"""A local HTTP server that plays the CRM (webhook receiver or SuperOffice).

Tests script its answers (`server.plan`) and read what it received
(`server.requests`, `server.people`). It is a real server on 127.0.0.1, so
the adapters' HTTP client code runs unchanged.
"""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

RECORDED = Path(__file__).parent / "test_data"


def recorded(name):
    return json.loads((RECORDED / name).read_text())


class FakeCrm(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        # answers to give first: (status, headers, body), ("sleep", seconds),
        # ("call", function): hang until the function returns, or
        # ("drip", bytes, seconds between bytes): a 200 whose body trickles in
        self.plan = []
        self.lookup_delay = 0.0  # seconds a SuperOffice person look-up takes
        # A SuperOffice look-up waits here for a second one (or the barrier's
        # timeout): two unserialised workers both look before either creates.
        self.lookup_barrier = None
        self.down = False  # hang up on every request: the CRM is down
        self.received = []  # webhook messages processed: (webhook-id, registration id, person key)
        # A throttling receiver: at most `rate` requests a second (token
        # bucket, `burst` deep); beyond that 429 with Retry-After: 1.
        self.rate = None
        self.burst = 1
        self._tokens = 0.0
        self._refilled = time.monotonic()
        self.requests = []
        self.people = {}  # e-mail -> person id
        self.appointments = []
        self.consents = []
        self.erasures = []  # erasure requests: ("webhook", payload) or ("superoffice", method, person id)
        self.lock = threading.Lock()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_planned(self):
        with self.lock:
            return self.plan.pop(0) if self.plan else None

    def throttled(self):
        if self.rate is None:
            return False
        with self.lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._refilled) * self.rate)
            self._refilled = now
            if self._tokens >= 1:
                self._tokens -= 1
                return False
            return True


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.server
        with server.lock:
            server.requests.append(
                {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
            )
        if server.down:
            self.close_connection = True
            self.request.shutdown(2)  # socket.SHUT_RDWR: no answer at all
            return None
        if server.throttled():
            return self.reply(429, b"slow down", {"Retry-After": "1"})
        planned = server.next_planned()
        if planned:
            if planned[0] == "sleep":
                time.sleep(planned[1])
            elif planned[0] == "call":  # hang in the test's own function, then answer as usual
                planned[1]()
            elif planned[0] == "drip":
                return self.drip(planned[1], planned[2])
            else:
                status, headers, payload = planned
                return self.reply(status, payload, headers)
        return self.default(body)

    def drip(self, size, pause):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        try:
            for _ in range(size):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass  # the client hung up: what a deadline does

    def default(self, body):
        server = self.server
        url = urlparse(self.path)
        if url.path == "/hook":
            payload = json.loads(body)
            if payload.get("event") == "person.erased":
                with server.lock:
                    server.erasures.append(("webhook", payload))
                return self.reply(200, {})
            with server.lock:
                email = payload["person"]["email"]
                person_id = server.people.setdefault(email, len(server.people) + 1)
                server.received.append(
                    (self.headers.get("webhook-id"), payload.get("registration_id"), payload.get("person_key"))
                )
            return self.reply(200, {"person_id": person_id})
        if url.path == "/Login/api/PartnerSystemUser/Authenticate":
            return self.reply(200, recorded("superoffice_system_user_authenticated.json"))
        if url.path == "/api/v1/Person/default":
            return self.reply(200, recorded("superoffice_person_created.json"))
        if url.path == "/api/v1/Appointment/default":
            return self.reply(200, {"AppointmentId": 0, "Type": "inDiary", "Task": {"TaskListItemId": 3}})
        if url.path == "/api/v1/Appointment" and self.command == "GET":
            # The follow-up's marker look-up (the strict fake is tests/fake_superoffice.py).
            marker = parse_qs(url.query)["$filter"][0].split("contains '", 1)[1].rstrip("'")
            with server.lock:
                found = [n + 1 for n, row in enumerate(server.appointments) if marker in row["Description"]]
            return self.reply(200, {"value": [{"PrimaryKey": n} for n in found]})
        if url.path == "/api/v1/Person" and self.command == "GET":
            query = parse_qs(url.query)
            wanted = query["$filter"][0].split("eq '", 1)[1].rstrip("'").replace("''", "'")
            time.sleep(server.lookup_delay)
            if server.lookup_barrier:
                # A broken barrier: no second look-up came, the lock held it back.
                with contextlib.suppress(threading.BrokenBarrierError):
                    server.lookup_barrier.wait()
            with server.lock:
                person_id = server.people.get(wanted)
            answer = recorded("superoffice_person_search_empty.json")
            if person_id:
                answer = recorded("superoffice_person_search_found.json")
                answer["value"][0]["personId"] = person_id
                answer["value"][0]["PrimaryKey"] = person_id
            return self.reply(200, answer)
        if url.path == "/api/v1/Person" and self.command == "POST":
            payload = json.loads(body)
            with server.lock:
                email = payload["Emails"][0]["Value"]
                person_id = server.people.setdefault(email, 100 + len(server.people))
            answer = recorded("superoffice_person_created.json")
            answer.update(PersonId=person_id, Firstname=payload["Firstname"], Lastname=payload["Lastname"])
            return self.reply(201, answer)
        if url.path.startswith("/api/v1/Person/") and self.command in ("DELETE", "PUT") and url.path.count("/") == 4:
            with server.lock:
                server.erasures.append(("superoffice", self.command, url.path.rsplit("/", 1)[1]))
            return self.reply(204)
        if url.path.startswith("/api/v1/Person/") and self.command == "PATCH":
            return self.reply(200, recorded("superoffice_person_created.json"))
        if url.path.startswith("/api/v1/Person/") and "/Consent/" in url.path:
            with server.lock:
                server.consents.append((url.path, parse_qs(url.query)))
            return self.reply(204)
        if url.path == "/api/v1/Appointment":
            payload = json.loads(body)
            with server.lock:
                server.appointments.append(payload)
                appointment_id = len(server.appointments)
            answer = recorded("superoffice_appointment_created.json")
            answer["AppointmentId"] = appointment_id
            return self.reply(201, answer)
        return self.reply(404, {"Error": "not found"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def start():
    server = FakeCrm()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
