"""Newcomer meet-ups: the pages (pages.py) and the sign-ups (signups.py).

A package because Wagtail wants the page models beside the data models;
the pages import the services, the services import `signups`, never this package.
"""

from .pages import EventIndexPage, EventPage, upcoming_meetups
from .signups import Signup

__all__ = ["EventIndexPage", "EventPage", "Signup", "upcoming_meetups"]
