"""The contract of the CRM adapters, their errors, and what HTTP adapters share.

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

import datetime
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests


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

    def update_preferences(self, payload, known):
        """A subscriber changed interests, municipality or language on the
        preference page (`action: preferences`); the payload is the ordinary
        one, with the new choices. The file and the webhook take it as it is."""
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
