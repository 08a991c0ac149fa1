"""Background work shared by every app. Tasks take plain values and are
enqueued after commit; the database worker (`manage.py db_worker`) runs them."""

from django.core.mail import EmailMessage
from django.tasks import task


@task()
def send_email(to, subject, body, reply_to=None):
    """Send one plain-text e-mail outside the request.

    The SMTP call (EMAIL_TIMEOUT) cannot slow or fail a page; if it raises,
    the task result records the error for an operator.
    """
    message = EmailMessage(subject=subject, body=body, to=list(to), reply_to=list(reply_to or []))
    return message.send()
