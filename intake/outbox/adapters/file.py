"""The development CRM: a file of JSON lines."""

import hashlib
import json
import threading
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from .base import Adapter, CrmResult


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
                        return CrmResult(person_id=file_person_id(payload))
            with path.open("a") as handle:
                handle.write(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
        return CrmResult(person_id=file_person_id(payload))

    def erase(self, payload, known=None):
        """An erasure is one more line in the file (identifiers only); once per delivery id."""
        return self.deliver(payload, known)


def file_person_id(payload):
    """The "CRM person id" the file gives: a hash of the e-mail address (not the payload's `person_key`)."""
    email = (payload.get("person", {}).get("email") or "").lower()
    return "file-" + hashlib.sha256(email.encode()).hexdigest()[:16]
