"""The Standard Webhooks secret: `whsec_` followed by the base64 of the key.

Production refuses any other form (tasteget/settings/production.py): a
secret without the prefix signed with its text as the key, which no Standard
Webhooks library on the receiver's side reproduces. Padding is optional, as
the spec's libraries accept both (`whsec_abc=` and `whsec_abc`).
"""

import base64
import binascii

PREFIX = "whsec_"
MIN_KEY_BYTES = 16
FORMAT = "whsec_ + the standard base64 of a random key of at least 16 bytes (whsec_$(openssl rand -base64 32))"


def webhook_key(secret):
    """The signing key of a `whsec_…` secret; ValueError naming the format otherwise."""
    if not secret.startswith(PREFIX):
        raise ValueError(f"CRM_WEBHOOK_SECRET must be {FORMAT}; it has no whsec_ prefix.")
    text = secret.removeprefix(PREFIX).strip().rstrip("=")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"CRM_WEBHOOK_SECRET must be {FORMAT}; the part after whsec_ is not base64.") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"CRM_WEBHOOK_SECRET must be {FORMAT}; its key has only {len(key)} bytes.")
    return key
