"""What the home page's sections and the municipality pages list.

Each function takes a locale id and returns template context in a fixed
number of queries, however many stories, ambassadors or pages there are
(`tests/test_page_queries.py` guards it). Images come with their renditions
prefetched, so a card's `<picture>` costs no query of its own.
"""

from django.apps import apps
from django.db.models import Prefetch, prefetch_related_objects
from wagtail.images import get_image_model
from wagtail.models import Page

from ambassadors.models import Ambassador, AmbassadorDirectoryPage
from events.models import EventIndexPage, upcoming_meetups
from intake.models import MagazineOrderPage, NewsletterPage, RegistrationPage
from magazine.models import MagazineIndexPage
from magazine.models import current_issue as magazine_current_issue
from places.models import CoworkingIndexPage, Municipality, spaces_for, with_local_names
from stories.models import StoryIndexPage, StoryPage
from tasteget.locales import language_code_of
from tasteget.translations import with_content_languages

HOME_STORIES_MAX = 6
MUNICIPALITY_STORIES = 3
MUNICIPALITY_AMBASSADORS = 4
HOME_MEETUPS = 3


def localized_pages(page_ids, locale_id):
    """The live translations, in `locale_id`, of the pages `page_ids`, in order.

    Pages chosen by editors are stored in the source language; visitors see
    them in their own. Pages without a live translation are left out. Two
    queries, whatever the number of pages.
    """
    by_source = localized_by_source(page_ids, locale_id)
    return [by_source[pk] for pk in page_ids if pk in by_source]


def localized_by_source(page_ids, locale_id, specific=True):
    """{chosen page id: its live translation in `locale_id`}; four queries at most,
    plus one per page type when `specific` (a menu needs only titles and URLs)."""
    keys = dict(Page.objects.filter(pk__in=page_ids).values_list("pk", "translation_key"))
    pages = Page.objects.live().public().filter(translation_key__in=keys.values(), locale_id=locale_id)
    if specific:
        pages = pages.specific()
    by_key = {page.translation_key: page for page in with_content_languages(pages)}
    return {pk: by_key[key] for pk, key in keys.items() if key in by_key}


def with_renditions(field):
    """Prefetch an image field and its renditions (Wagtail reads them from the prefetch cache)."""
    return Prefetch(field, queryset=get_image_model().objects.prefetch_related("renditions"))


def first_page(model, locale_id):
    return model.objects.live().public().filter(locale_id=locale_id).first()


def municipality_pages(locale_id):
    """The eight municipality pages and the Region's page, in the county's order."""
    # By name: the page models use this module, so it cannot import them.
    pages = with_content_languages(
        apps.get_model("home", "MunicipalityPage")
        .objects.live()
        .public()
        .filter(locale_id=locale_id)
        .select_related("municipality")
        .prefetch_related(with_renditions("hero_image"))
        .order_by("municipality__sort_order", "title")
    )
    return {
        "municipality_pages": [page for page in pages if not page.municipality.is_region],
        "region_page": next((page for page in pages if page.municipality.is_region), None),
    }


def stories(locale_id, chosen_ids=(), number=3):
    """Stories chosen by editors (in this language), or the newest ones."""
    story_pages = StoryPage.objects.live().public().filter(locale_id=locale_id)
    if chosen_ids:
        chosen = {page.pk for page in localized_pages(list(chosen_ids)[:HOME_STORIES_MAX], locale_id)}
        story_pages = story_pages.filter(pk__in=chosen)
    else:
        story_pages = story_pages.order_by("-date", "-pk")[: min(number, HOME_STORIES_MAX)]
    story_pages = story_pages.prefetch_related(with_renditions("hero_image"))
    return {"stories": with_content_languages(story_pages), "story_index": first_page(StoryIndexPage, locale_id)}


def current_issue(locale_id):
    issue = magazine_current_issue(locale_id)
    if issue is not None:
        prefetch_related_objects([issue], with_renditions("cover"))
    return {
        "issue": issue,
        "order_page": first_page(MagazineOrderPage, locale_id),
        "magazine_index": first_page(MagazineIndexPage, locale_id),
    }


def ambassadors(locale_id, number, municipality=None):
    """The newest published ambassadors (of one municipality), each with `profile_url`."""
    directory = first_page(AmbassadorDirectoryPage, locale_id)
    people = Ambassador.objects.published().select_related("municipality").prefetch_related(with_renditions("photo"))
    if municipality is not None:
        people = people.filter(municipality__translation_key=municipality.translation_key)
    people = with_local_names(
        people.order_by("-pk")[:number], Municipality.objects.localized(locale_id).municipalities()
    )
    for person in people:
        person.profile_url = directory.url + directory.reverse_subpage("profile", args=[person.pk]) if directory else ""
    return {"ambassadors": people, "directory": directory}


def meetups(locale_id, municipality=None, number=HOME_MEETUPS):
    """The next meet-ups (a municipality's own and the county's) and the listing page."""
    return {
        "meetups": upcoming_meetups(municipality, language_code_of(locale_id), number),
        "meetup_index": first_page(EventIndexPage, locale_id),
    }


def for_municipality(municipality, locale_id):
    """What a municipality page shows automatically: its stories, ambassadors and coworking spaces."""
    story_pages = (
        StoryPage.objects.live()
        .public()
        .filter(locale_id=locale_id, municipality__translation_key=municipality.translation_key)
        .prefetch_related(with_renditions("hero_image"))
        .order_by("-date", "-pk")[:MUNICIPALITY_STORIES]
    )
    return {
        "stories": with_content_languages(story_pages),
        "story_index": first_page(StoryIndexPage, locale_id),
        "coworking_spaces": spaces_for(municipality, locale_id),
        "coworking_index": first_page(CoworkingIndexPage, locale_id),
        **ambassadors(locale_id, MUNICIPALITY_AMBASSADORS, municipality),
        **meetups(locale_id, municipality),
    }


def menu(navigation, locale_id):
    """The main menu from `SiteSettings.navigation`, in the visitor's language.

    Read from the stream's raw data, so chosen pages are not loaded in
    Swedish first: a fixed number of queries for any number of entries.
    Returns sections as {"page": …, "children": [...]}; entries whose page
    has no live translation are left out.
    """
    entries = []
    for item in navigation.raw_data:
        value = item["value"]
        if item["type"] == "section":
            children = [child["value"] if isinstance(child, dict) else child for child in value.get("children") or []]
            entries.append((value.get("page"), children))
        else:
            entries.append((value, []))
    ids = [pk for page_id, children in entries for pk in [page_id, *children] if pk]
    pages = localized_by_source(ids, locale_id, specific=False)
    sections = []
    for page_id, children in entries:
        if page_id in pages:
            sections.append({"page": pages[page_id], "children": [pages[pk] for pk in children if pk in pages]})
    return sections


def site_actions(locale_id):
    """The registration and newsletter pages in this language (for the header and footer)."""
    registration_page, newsletter_page = first_page(RegistrationPage, locale_id), first_page(NewsletterPage, locale_id)
    # Their language is known before they are kept with the menu (an alias is in Swedish).
    with_content_languages([page for page in (registration_page, newsletter_page) if page])
    return {"registration_page": registration_page, "newsletter_page": newsletter_page}
