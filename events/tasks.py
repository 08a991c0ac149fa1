"""The e-mails of a sign-up, sent by the task worker after the commit.

Tasks take ids and read the sign-up again, so a mail says what is true when
it is sent (a promoted person is never told they wait). The confirmation,
the place from the waiting list and the reminder carry the meet-up's `.ics`
and the cancel link; the organiser hears of every sign-up and cancellation.
"""

from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from . import ics
from .links import absolute_cancel_link, organiser_emails, page_in_language
from .models.signups import Signup

# What the person gets; the template says what it means.
PERSON_MAILS = {"confirmed", "waiting", "again", "promoted", "cancelled", "reminder"}
WITH_CALENDAR = {"confirmed", "promoted", "reminder", "again"}


@task()
def send_signup_mail(signup_id, what):
    signup = Signup.objects.select_related("event", "registration").filter(pk=signup_id).first()
    if signup is None or signup.registration is None or signup.registration.anonymised_at:
        return 0
    if what == "organiser" or what == "organiser_cancelled":
        return send_to_organiser(signup, what)
    if what not in PERSON_MAILS:
        return 0
    # Sent late (the worker was busy): a mail that is no longer true is not sent
    # (a person promoted meanwhile gets the promotion's mail instead).
    still_true = {
        "confirmed": Signup.Status.CONFIRMED,
        "waiting": Signup.Status.WAITING,
        "reminder": Signup.Status.CONFIRMED,
    }
    if what in still_true and signup.status != still_true[what]:
        return 0
    if what == "again":
        what = "again_waiting" if signup.status == Signup.Status.WAITING else "again"
    with translation.override(signup.language):
        page = page_in_language(signup.event, signup.language)
        context = {
            "signup": signup,
            "event": page,
            "name": signup.registration.first_name,
            "cancel_url": absolute_cancel_link(signup),
        }
        subject = render_to_string("events/mail/subject.txt", {**context, "what": what}).strip()
        body = render_to_string("events/mail/person.txt", {**context, "what": what})
        message = EmailMessage(subject=subject, body=body, to=[signup.registration.email])
        if what in WITH_CALENDAR and signup.status == Signup.Status.CONFIRMED:
            message.attach(f"{page.slug}.ics", ics.calendar([page], name=page.title), "text/calendar")
        sent = message.send()
    if what == "cancelled":
        send_signup_mail.enqueue(signup.pk, "organiser_cancelled")
    return sent


def send_to_organiser(signup, what):
    recipients = organiser_emails(signup.event)
    if not recipients:
        return 0
    event = signup.event
    with translation.override("sv"):
        context = {
            "signup": signup,
            "event": event,
            "what": what,
            "taken": event.signups.filter(status=Signup.Status.CONFIRMED).count(),
            "waiting": event.signups.filter(status=Signup.Status.WAITING).count(),
        }
        subject = render_to_string("events/mail/organiser_subject.txt", context).strip()
        body = render_to_string("events/mail/organiser.txt", context)
    return EmailMessage(subject=subject, body=body, to=recipients).send()
