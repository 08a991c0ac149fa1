"""The mover's own page: `/min-sida/<signed token>/` (`/en/my-page/…`).

Opened from the link in the confirmation e-mail (or a new one asked for on
`/min-sida/`), no account and no cookie: the signed link is the credential
(intake/movers.py), so the page's forms carry no CSRF token and the page is
never cached (`finish`: `Cache-Control: private, no-store`). Every view is in
the access log. What it shows and does (docs/data-protection.md):

- the advisers with photo, phone and e-mail, the promised date, the case's
  history in words (intake/movers.py `history`);
- a checklist from the topics the mover chose and their municipality: the
  municipality page, the guides of the international house, stories,
  ambassadors, coworking spaces and the next meet-ups (`next_meetups`), with
  the ticks kept on the case (a plain form; works without JavaScript and on
  every device the link is opened on);
- changing the phone, contact preference, topics and planned move (the
  advisers and the CRM hear through the outbox), a question to the advisers
  (relayed by e-mail), and a request to be erased (the data protection
  officer's person view lists it).

In home/ because the checklist lists the content of the apps below.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wagtail.models import Locale

from events.models import upcoming_meetups
from intake import movers, ratelimit
from intake.choices import Topic
from intake.forms import MoverChangeForm, MoverErasureForm, MoverQuestionForm, PreferenceLinkForm
from intake.models import RegistrationUpdate
from intake.pipeline import Refused, finish, too_many_message
from intake.services import ask_adviser, change_case, request_erasure, request_mover_link, tick_checklist
from intake.views import link_request
from places.models import Adviser, Municipality
from tasteget import pagecache
from tasteget.locales import language_code_of

from . import listings
from .models import GuidePage, MunicipalityPage

TEMPLATE = "home/my_page.html"
LINK_TEMPLATE = "home/my_page_link.html"

# Kept at most this long, however the content changes (stories and
# ambassadors are not purged by topic): ten minutes.
CHECKLIST_SECONDS = 600
GUIDES_MAX = 5
MEETUPS_MAX = 3
PHOTO_SPEC = "fill-192x192|format-webp"

# Which kinds of help each topic asks for; a topic with no content of its
# own becomes "ask your adviser about …".
TOPIC_CONTENT = {
    Topic.PLACE: {"municipality", "stories"},
    Topic.NETWORKS: {"ambassadors", "meetups"},
    Topic.REMOTE_WORK: {"coworking"},
    Topic.BUSINESS: {"coworking"},
    Topic.LEISURE: {"stories", "ambassadors", "meetups"},
}
ASK_ADVISER = (Topic.JOBS, Topic.RECRUITMENT, Topic.BUSINESS, Topic.HOUSING, Topic.SCHOOL)
EVERYTHING = {"municipality", "stories", "ambassadors", "coworking", "meetups", "guides"}


def next_meetups(municipality, locale_id):
    """The next newcomer meet-ups in the municipality or for the whole county,
    for the checklist: dicts of `key`, `title`, `url` and `when` (text), kept
    in the cache like the rest of the checklist (no query on a warm page)."""

    def build():
        language = language_code_of(locale_id)
        with translation.override(language):
            return [
                {
                    "key": f"meetup:{meetup.translation_key}",
                    "title": meetup.title,
                    "url": meetup.url,
                    "when": date_format(timezone.localtime(meetup.start), "DATETIME_FORMAT"),
                }
                for meetup in upcoming_meetups(municipality, language, limit=MEETUPS_MAX)
            ]

    return pagecache.site_wide(
        f"mover-meetups:{municipality.pk}:{locale_id}", build, topic="search", seconds=CHECKLIST_SECONDS
    )


def checklist_content(municipality, locale_id):
    """What the checklist may list for a municipality in a language: plain
    titles and addresses, kept in the cache (no query on a warm page)."""

    def build():
        local = Municipality.objects.localized(locale_id).filter(pk=municipality.pk).first()
        page = (
            MunicipalityPage.objects.live()
            .public()
            .filter(locale_id=locale_id, municipality__translation_key=municipality.translation_key)
            .first()
        )
        found = listings.for_municipality(municipality, locale_id)
        guides = GuidePage.objects.live().public().filter(locale_id=locale_id).order_by("path")[:GUIDES_MAX]
        filtered = "" if municipality.is_region else f"?kommun={municipality.slug}"

        def url_of(found_page, query=""):
            return found_page.url + query if found_page is not None and found_page.url else ""

        return {
            "name": local.local_name if local else municipality.name,
            "municipality_url": url_of(page),
            "stories": [(story.title, story.url) for story in found["stories"]],
            "stories_url": url_of(found["story_index"], filtered),
            "ambassadors": [(person.name, person.profile_url) for person in found["ambassadors"]],
            "ambassadors_url": url_of(found["directory"], filtered),
            "spaces": [space.name for space in found["coworking_spaces"]],
            "coworking_url": url_of(found["coworking_index"], filtered),
            "guides": [(str(guide.translation_key), guide.title, guide.url) for guide in guides],
        }

    return pagecache.site_wide(
        f"mover-checklist:{municipality.pk}:{locale_id}", build, topic="search", seconds=CHECKLIST_SECONDS
    )


def checklist(registration, locale_id, content):
    """The checklist items for this mover: [{key, title, links, text, done}]."""
    topics = set(registration.topics or [])
    wanted = set().union(*(TOPIC_CONTENT.get(topic, set()) for topic in topics)) if topics else set(EVERYTHING)
    wanted |= {"municipality", "guides"}
    name = content["name"]
    items = []
    if content["municipality_url"]:
        items.append(
            item(
                "municipality",
                _("Read about %(name)s: housing, work, school and leisure") % {"name": name},
                [(name, content["municipality_url"])],
            )
        )
    if "guides" in wanted:
        for key, title, url in content["guides"]:
            items.append(item(f"guide:{key}", _("Read the guide: %(title)s") % {"title": title}, [(title, url)]))
    if "stories" in wanted and content["stories_url"]:
        items.append(
            item(
                "stories",
                _("Read how others moved to %(name)s") % {"name": name},
                content["stories"],
                content["stories_url"],
            )
        )
    if "ambassadors" in wanted and content["ambassadors_url"]:
        items.append(
            item(
                "ambassadors",
                _("Ask an ambassador who lives there"),
                content["ambassadors"],
                content["ambassadors_url"],
            )
        )
    if "coworking" in wanted and content["coworking_url"]:
        text = ", ".join(content["spaces"])
        items.append(
            item("coworking", _("Find a coworking space for your remote job"), [], content["coworking_url"], text)
        )
    if "meetups" in wanted:
        for meetup in next_meetups(registration.municipality, locale_id):
            items.append(
                item(
                    meetup["key"],
                    _("Meet other newcomers: %(title)s") % {"title": meetup["title"]},
                    [(meetup.get("when", ""), meetup["url"])],
                )
            )
    labels = dict(Topic.choices)
    for topic in ASK_ADVISER:
        if topic in topics:
            items.append(
                item(f"ask:{topic}", _("Talk to your adviser about: %(topic)s") % {"topic": labels[topic]}, [])
            )
    ticked = set(registration.checklist_ticks or [])
    for entry in items:
        entry["done"] = entry["key"] in ticked
    return items


def item(key, title, links, more_url="", text=""):
    return {"key": key, "title": title, "links": links, "more_url": more_url, "text": text}


def advisers_of(municipality):
    """The advisers serving the municipality, with their photo's address,
    kept until an adviser or municipality is saved (home/purge.py)."""

    def build():
        rows = []
        for adviser in Adviser.objects.serving(municipality):
            photo = adviser.photo.get_renditions(PHOTO_SPEC)[PHOTO_SPEC].url if adviser.photo else ""
            rows.append({"name": adviser.name, "email": adviser.email, "phone": adviser.phone, "photo": photo})
        return rows

    return pagecache.site_wide(f"mover-advisers:{municipality.pk}", build, topic="advisers")


NOTICES = {
    "andrat": lambda: _("Your changes are saved. Your adviser has been told."),
    "fraga": lambda: _("Your question is sent. Your adviser will answer you by e-mail."),
    "radera": lambda: _("Your request is sent to our data protection officer. You will hear from us."),
    "bockar": lambda: _("Your ticks are saved."),
    "oforandrat": lambda: _("Nothing was changed."),
}


def show(request, registration, status=200, **forms):
    locale_id = Locale.get_active().pk
    content = checklist_content(registration.municipality, locale_id)
    updates = list(registration.updates.all())
    items = checklist(registration, locale_id, content)
    notice = NOTICES.get(request.GET.get("sparat", ""))
    context = {
        "registration": registration,
        "municipality_name": content["name"],
        "advisers": advisers_of(registration.municipality),
        "history": movers.history(registration, updates, content["name"]),
        "items": items,
        "done": sum(1 for entry in items if entry["done"]),
        "erasure_requested": any(update.kind == RegistrationUpdate.Kind.ERASURE for update in updates),
        "change_form": forms.get("change_form") or MoverChangeForm(registration=registration),
        "question_form": forms.get("question_form") or MoverQuestionForm(),
        "erasure_form": forms.get("erasure_form") or MoverErasureForm(),
        "notice": notice() if notice and request.method == "GET" else "",
        "link_days": movers.mover_link_days(),
    }
    return finish(render(request, TEMPLATE, context), status)


def saved(request, what):
    redirect = HttpResponseRedirect(f"{request.path}?sparat={what}")
    add_never_cache_headers(redirect)
    return redirect


@csrf_exempt  # the signed link is the credential; the page sets no cookie
@require_http_methods(["GET", "POST"])
def mover_page(request, token):
    registration = movers.case_from_token(token)
    if registration is None:
        return invalid_link(request)
    if request.method == "GET":
        movers.record_view(registration)
        return show(request, registration)
    if "ticks" in request.POST:
        locale_id = Locale.get_active().pk
        items = checklist(registration, locale_id, checklist_content(registration.municipality, locale_id))
        keys = {entry["key"] for entry in items}
        tick_checklist(registration, [key for key in request.POST.getlist("done") if key in keys])
        return saved(request, "bockar")
    if "change" in request.POST:
        form = MoverChangeForm(request.POST, registration=registration)
        return act(
            request,
            registration,
            "change_form",
            form,
            lambda: "andrat" if change_case(registration, form.cleaned_data) else "oforandrat",
        )
    if "ask" in request.POST:
        form = MoverQuestionForm(request.POST)
        return act(
            request,
            registration,
            "question_form",
            form,
            lambda: ask_adviser(registration, form.cleaned_data["question"]) and "fraga",
        )
    if "erase" in request.POST:
        form = MoverErasureForm(request.POST)
        return act(request, registration, "erasure_form", form, lambda: request_erasure(registration) and "radera")
    return saved(request, "oforandrat")


def act(request, registration, name, form, perform):
    """A valid form counts against the rate limit and is done; otherwise the page again with its errors."""
    status = 200
    if form.is_valid():
        if not ratelimit.allow(request):
            form.add_error(None, too_many_message())
            status = 429
        else:
            try:
                return saved(request, perform())
            except Refused as refused:
                form.add_error(None, refused.message)
                status = refused.status
    movers.record_view(registration)  # the page is shown again: a view like any other
    return show(request, registration, status=status, **{name: form})


def invalid_link(request):
    """An expired, incomplete or forged link: 400, in the address's language, with the new-link form."""
    context = {"invalid": True, "link_form": link_form(), "link_days": movers.mover_link_days()}
    return finish(render(request, LINK_TEMPLATE, context), 400)


def link_form_kwargs():
    return {"legend": _("The e-mail address you registered with")}


def link_form():
    return PreferenceLinkForm(**link_form_kwargs())


@csrf_exempt  # no cookie: asking for a link to someone's address sends them at most a capped few
@require_http_methods(["GET", "POST"])
def mover_page_request(request):
    """Enter the address, get a new link to the page if it has a case: the same answer either way."""
    return link_request(
        request,
        ask=request_mover_link,
        show=lambda context, status: finish(render(request, LINK_TEMPLATE, context), status),
        context={"link_days": movers.mover_link_days()},
        form_kwargs=link_form_kwargs(),
    )
