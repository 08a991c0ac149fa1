"""Let a staff member in again after wrong second-factor codes (docs/security.md).

After repeated wrong codes django-otp pauses every device of the user, the
real user's right code and recovery codes included. A Region admin who has
checked who is asking (by phone, in person) runs:

    manage.py reset_two_factor_throttle <username>
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from wagtail.log_actions import log

from tasteget.two_factor import reset_throttle


class Command(BaseCommand):
    help = "Reset the wrong-code pause of one user's second factor."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username}.")
        count = reset_throttle(user)
        # In the site history like a reset from the admin (no user: the command line).
        log(instance=user, action="tasteget.two_factor.reset_throttle", data={"by": "manage.py", "devices": count})
        self.stdout.write(f"{username}: the pause is lifted on {count} device(s); the next code counts.")
