"""Create a believable demo site in Swedish and English.

Idempotent: everything is looked up by slug (or title) first, and an existing
object is left untouched, so a second run changes nothing and an editor's
changes to demo pages survive.
"""

import datetime
import io
import random

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Site
from wagtail.rich_text import RichText

from ambassadors.models import Ambassador, AmbassadorDirectoryPage
from events.models import EventIndexPage, EventPage, Signup
from home import demo_data, renditions
from home.models import (
    ContentPage,
    GuideIndexPage,
    GuidePage,
    HomePage,
    MunicipalityPage,
    SiteSettings,
)
from intake import models as intake_models
from magazine.models import MagazineIndexPage, MagazineIssuePage
from places.models import Adviser, CoworkingIndexPage, CoworkingSpace, Municipality, PostalCodeRange
from stories.models import StoryIndexPage, StoryPage, StoryTopic
from tasteget.translations import ensure_locales


class Command(BaseCommand):
    help = "Load the demo content (Swedish and English). Safe to run more than once."

    @transaction.atomic
    def handle(self, *args, **options):
        self.created = 0
        locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES}
        images = [self.image(title, ground, sky) for title, ground, sky in demo_data.IMAGES]
        home = self.home_page(images[0])
        home_en = self.translate(home, locales["en"], **self.home_fields("en"))
        extra_homes = [
            self.translate(home, locales[code], **self.home_fields(code))
            for code in locales
            if code not in ("sv", "en") and code in demo_data.HOME
        ]

        pages = {}
        for slug, texts in demo_data.CONTENT_PAGES.items():
            title, intro, paragraphs = texts["sv"]
            page = self.child(home, ContentPage, slug, title=title, intro=intro, body=self.body(paragraphs))
            title, intro, paragraphs = texts["en"]
            self.translate(
                page, locales["en"], slug=texts["en_slug"], title=title, intro=intro, body=self.body(paragraphs)
            )
            pages[slug] = page

        municipality_pages = []
        for number, municipality in enumerate(Municipality.objects.in_default_locale()):
            intro_sv, intro_en, facts = demo_data.MUNICIPALITY_PAGES[municipality.slug]
            facts, body_sv, body_en = self.municipality_content(municipality.slug, facts)
            region_titles = demo_data.REGION_PAGE if municipality.is_region else {}
            page = self.child(
                home,
                MunicipalityPage,
                municipality.slug,
                title=region_titles.get("sv", municipality.name),
                municipality=municipality,
                intro=intro_sv,
                hero_image=images[number % len(images)],
                facts=[("fact", {"label": label_sv, "value": value}) for label_sv, _en, value in facts],
                body=body_sv,
            )
            english = municipality.get_translation_or_none(locales["en"]) or municipality
            self.translate(
                page,
                locales["en"],
                title=region_titles.get("en", english.name),
                municipality=english,
                intro=intro_en,
                facts=[("fact", {"label": label_en, "value": value}) for _sv, label_en, value in facts],
                body=body_en,
            )
            self.advisers(municipality)
            self.postal_code_ranges(municipality)
            municipality_pages.append(page)

        form_pages = {}
        for slug, texts in demo_data.FORM_PAGES.items():
            page_class = getattr(intake_models, texts["class"])
            title, intro, thanks_title, thanks_text = texts["sv"]
            page = self.child(
                home,
                page_class,
                slug,
                title=title,
                intro=f"<p>{intro}</p>",
                thank_you_title=thanks_title,
                thank_you_text=f"<p>{thanks_text}</p>" if thanks_text else "",
            )
            title, intro, thanks_title, thanks_text = texts["en"]
            self.translate(
                page,
                locales["en"],
                slug=texts["en_slug"],
                title=title,
                intro=f"<p>{intro}</p>",
                thank_you_title=thanks_title,
                thank_you_text=f"<p>{thanks_text}</p>" if thanks_text else "",
            )
            form_pages[slug] = page

        story_index = self.stories(home, locales, images)
        magazine_index = self.magazine(home, locales, images)
        coworking_index = self.coworking(home, locales)
        directory = self.ambassadors(home, locales)
        self.meetups(home, locales, images)
        international_house, employers = self.international_house(home, locales)
        sections = {
            "stories": story_index,
            "magazine": magazine_index,
            "coworking": coworking_index,
            "ambassadors": directory,
            "international": international_house,
            "employers": employers,
            **form_pages,
        }

        # Reload: adding children changed the tree fields (numchild) in the
        # database, and saving stale instances would write them back.
        home.refresh_from_db()
        home_en.refresh_from_db()
        registration_page = form_pages["anmal-intresse"]
        if home.registration_page_id in (None, pages["flyttvagledning"].pk):
            home.registration_page = registration_page
            home.save_revision().publish()
            home_en.registration_page = registration_page
            home_en.save_revision().publish()
            for extra_home in extra_homes:
                extra_home.refresh_from_db()
                extra_home.registration_page = registration_page
                extra_home.save_revision().publish()
        for page in [home, home_en, *extra_homes]:
            page.refresh_from_db()
            if not page.sections:
                page.sections = self.home_sections(page.locale.language_code, sections, images)
                page.save_revision().publish()
        self.site_settings(home, pages, municipality_pages, sections)
        # Every page not translated into an extra locale gets an alias there.
        ensure_locales()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Demo content ready ({self.created} objects created)."))

    # --- helpers -----------------------------------------------------------

    def body(self, paragraphs):
        return [("paragraph", RichText(f"<p>{text}</p>")) for text in paragraphs]

    def municipality_content(self, slug, facts):
        """Key facts and the housing/work/school/leisure sections of a municipality page."""
        if slug not in demo_data.MUNICIPALITY_FACTS:
            return facts, [], []
        values = demo_data.MUNICIPALITY_FACTS[slug]
        facts = [(sv, en, value) for (sv, en), value in zip(demo_data.FACT_LABELS, values, strict=True)]
        towns = values[-1]
        bodies = []
        for language in ("sv", "en"):
            body = []
            for heading, text in demo_data.municipality_sections(language, towns):
                body += [("heading", {"text": heading, "level": "h2"}), ("paragraph", RichText(f"<p>{text}</p>"))]
            bodies.append(body)
        return facts, *bodies

    def home_sections(self, language, pages, images):
        """The home page's sections, with texts in the page's language (Swedish where missing)."""
        texts = demo_data.HOME_SECTIONS.get(language, demo_data.HOME_SECTIONS["sv"])

        def feature(key, page, image, style="plain"):
            heading, text, link_text = texts[key]
            return (
                "feature",
                {
                    "heading": heading,
                    "text": text,
                    "image": image,
                    "image_alt": "",
                    "page": page,
                    "link_text": link_text,
                    "style": style,
                },
            )

        heading, text, undecided = texts["municipalities"]
        return [
            ("municipalities", {"heading": heading, "text": text, "undecided_text": undecided}),
            ("stories", {"heading": texts["stories"][0], "text": texts["stories"][1], "stories": [], "number": 3}),
            ("magazine", {"heading": texts["magazine"][0], "text": texts["magazine"][1]}),
            ("ambassadors", {"heading": texts["ambassadors"][0], "text": texts["ambassadors"][1], "number": 4}),
            feature("coworking", pages["coworking"], images[4]),
            feature("international", pages["international"], images[5]),
            feature("newsletter", pages["nyhetsbrev"], None, style="highlight"),
        ]

    def home_fields(self, language):
        fields = dict(demo_data.HOME[language])
        return fields

    def home_page(self, hero_image):
        home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        if home is None:
            home = HomePage(slug="hem", hero_image=hero_image, **self.home_fields(settings.LANGUAGE_CODE))
            Page.get_first_root_node().add_child(instance=home)
            home.save_revision().publish()
            self.created += 1
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site(hostname="localhost", port=80, is_default_site=True, site_name="Ta steget", root_page=home)
            site.save()
            self.created += 1
        elif site.root_page_id != home.pk and not isinstance(site.root_page.specific, HomePage):
            # Wagtail's placeholder "Welcome" page is replaced by ours.
            placeholder = site.root_page
            site.root_page = home
            site.site_name = "Ta steget"
            site.save()
            self.created += 1
            if placeholder.specific_class is Page and placeholder.is_leaf():
                placeholder.delete()
        return home

    def child(self, parent, page_class, slug, **fields):
        existing = page_class.objects.child_of(parent).filter(slug=slug).first()
        if existing:
            return existing
        page = page_class(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created += 1
        return page

    def translate(self, page, locale, **fields):
        """Create and publish `page`'s translation unless it already exists.

        An alias (the untranslated page in a synchronised locale) is turned
        into a translation, as an editor translating it would.
        """
        existing = page.get_translation_or_none(locale)
        if existing and not existing.alias_of_id:
            return existing.specific
        if existing:
            translation = existing.specific
            translation.alias_of = None
        else:
            translation = page.copy_for_translation(locale)
        for name, value in fields.items():
            setattr(translation, name, value)
        translation.save()
        translation.save_revision().publish()
        self.created += 1
        return translation

    def image(self, title, ground, sky):
        existing = Image.objects.filter(title=title).first()
        if existing:
            return existing
        width, height = 1600, 900
        rng = random.Random(title)
        picture = PILImage.new("RGB", (width, height), sky)
        draw = ImageDraw.Draw(picture)
        for band in range(0, height // 2, 6):  # a soft sky gradient
            shade = tuple(max(0, c - band // 8) for c in sky)
            draw.rectangle([0, band, width, band + 6], fill=shade)
        draw.ellipse([width * 0.7, 80, width * 0.7 + 140, 220], fill=(255, 244, 214))
        for layer in range(3):
            points = [(0, height)]
            x = 0
            while x < width:
                points.append((x, height * (0.45 + 0.12 * layer) + rng.randint(-120, 60)))
                x += rng.randint(120, 260)
            points += [(width, height * 0.6), (width, height)]
            colour = tuple(min(255, c + 25 * (2 - layer)) for c in ground)
            draw.polygon(points, fill=colour)
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=85)
        slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower())
        image = Image(title=title)
        image.file = ImageFile(buffer, name=f"demo-{slug}.jpg")
        with renditions.made_here():
            image.save()
        renditions.make(image)  # as the worker would after an upload
        self.created += 1
        return image

    def advisers(self, municipality):
        if municipality.advisers.exists():
            return
        for name, phone in demo_data.ADVISERS[municipality.slug]:
            first = name.split()[0].lower()
            Adviser.objects.create(
                municipality=municipality,
                name=name,
                phone=phone,
                email=f"{first}.{municipality.slug}@example.org",
            )
            self.created += 1

    def postal_code_ranges(self, municipality):
        """The demo's postal code table (magazine orders by address); a municipality with ranges is left alone."""
        if municipality.is_region or municipality.postal_code_ranges.exists():
            return
        for first, last, note in demo_data.POSTAL_CODE_RANGES.get(municipality.slug, []):
            PostalCodeRange.objects.create(municipality=municipality, first=first, last=last, note=note)
            self.created += 1

    def stories(self, home, locales, images):
        topics = {}
        for slug, name_sv, name_en in demo_data.TOPICS:
            topic = StoryTopic.objects.filter(locale=locales["sv"], slug=slug).first()
            if topic is None:
                topic = StoryTopic.objects.create(locale=locales["sv"], slug=slug, name=name_sv)
                self.created += 1
            if not topic.has_translation(locales["en"]):
                english = topic.copy_for_translation(locales["en"])
                english.name = name_en
                english.save()
                self.created += 1
            topics[slug] = topic
        title_sv, intro_sv = demo_data.STORY_INDEX["sv"]
        index = self.child(home, StoryIndexPage, "berattelser", title=title_sv, intro=intro_sv)
        title_en, intro_en = demo_data.STORY_INDEX["en"]
        self.translate(index, locales["en"], slug=demo_data.STORY_INDEX["en_slug"], title=title_en, intro=intro_en)
        index.refresh_from_db()
        municipalities = {m.slug: m for m in Municipality.objects.in_default_locale()}
        for number, row in enumerate(demo_data.STORIES):
            slug, municipality_slug, people, moved_from, place, topic_slugs, (t_sv, i_sv), (t_en, i_en) = row
            municipality = municipalities[municipality_slug]
            if StoryPage.objects.child_of(index).filter(slug=slug).exists():
                continue
            story = StoryPage(
                slug=slug,
                title=t_sv,
                intro=i_sv,
                people=people,
                moved_from=moved_from,
                place=place,
                municipality=municipality,
                hero_image=images[number % len(images)],
                hero_image_alt="",
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=25 * number),
                body=self.body([i_sv]),
            )
            story.topics = [topics[topic] for topic in topic_slugs]
            index.add_child(instance=story)
            story.save_revision().publish()
            self.created += 1
            index.refresh_from_db()
            english_municipality = municipality.get_translation_or_none(locales["en"]) or municipality
            self.translate(
                story,
                locales["en"],
                slug=slugify(t_en),  # English addresses in English
                title=t_en,
                intro=i_en,
                municipality=english_municipality,
                body=self.body([i_en]),
            )
        return index

    def magazine(self, home, locales, images):
        title_sv, intro_sv = demo_data.MAGAZINE_INDEX["sv"]
        index = self.child(home, MagazineIndexPage, "magasinet", title=title_sv, intro=intro_sv)
        title_en, intro_en = demo_data.MAGAZINE_INDEX["en"]
        self.translate(index, locales["en"], slug=demo_data.MAGAZINE_INDEX["en_slug"], title=title_en, intro=intro_en)
        for number, (slug, issue, date, (t_sv, t_en), contents) in enumerate(demo_data.MAGAZINE_ISSUES):
            index.refresh_from_db()
            if MagazineIssuePage.objects.child_of(index).filter(slug=slug).exists():
                continue
            page = MagazineIssuePage(
                slug=slug,
                title=t_sv,
                issue_number=issue,
                date=datetime.date.fromisoformat(date),
                cover=images[number % len(images)],
                cover_alt="",
                pdf=self.pdf(t_sv, images[number % len(images)]),
                contents=[("article", {"title": title, "page_number": page_number}) for title, page_number in contents],
                thank_you_title="Tack för din beställning!",
            )
            index.add_child(instance=page)
            page.save_revision().publish()
            self.created += 1
            english_titles = {story[6][0]: story[7][0] for story in demo_data.STORIES}
            self.translate(
                page,
                locales["en"],
                title=t_en,
                thank_you_title="Thank you for your order!",
                contents=[
                    ("article", {"title": english_titles.get(title, title), "page_number": page_number})
                    for title, page_number in contents
                ],
            )
        return index

    def coworking(self, home, locales):
        title_sv, intro_sv = demo_data.COWORKING_INDEX["sv"]
        index = self.child(home, CoworkingIndexPage, "coworking", title=title_sv, intro=intro_sv)
        title_en, intro_en = demo_data.COWORKING_INDEX["en"]
        self.translate(index, locales["en"], slug=demo_data.COWORKING_INDEX["en_slug"], title=title_en, intro=intro_en)
        municipalities = {m.slug: m for m in Municipality.objects.in_default_locale()}
        hours_sv, facilities_sv = demo_data.COWORKING_TEXT["sv"]
        hours_en, facilities_en = demo_data.COWORKING_TEXT["en"]
        for name, slug, place, address, latitude, longitude in demo_data.COWORKING:
            space = CoworkingSpace.objects.filter(locale=locales["sv"], name=name).first()
            if space is None:
                space = CoworkingSpace.objects.create(
                    locale=locales["sv"],
                    name=name,
                    municipality=municipalities[slug],
                    place=place,
                    address=address,
                    opening_hours=hours_sv,
                    facilities=facilities_sv,
                    contact_email=f"cowork.{slug}@example.org",
                    latitude=latitude,
                    longitude=longitude,
                )
                self.created += 1
            if not space.has_translation(locales["en"]):
                english = space.copy_for_translation(locales["en"])
                english.opening_hours = hours_en
                english.facilities = facilities_en
                english.save()
                self.created += 1
        return index

    def ambassadors(self, home, locales):
        title_sv, intro_sv = demo_data.AMBASSADOR_DIRECTORY["sv"]
        directory = self.child(home, AmbassadorDirectoryPage, "ambassadorer", title=title_sv, intro=intro_sv)
        title_en, intro_en = demo_data.AMBASSADOR_DIRECTORY["en"]
        self.translate(
            directory, locales["en"], slug=demo_data.AMBASSADOR_DIRECTORY["en_slug"], title=title_en, intro=intro_en
        )
        if Ambassador.objects.exists():
            return directory
        municipalities = list(Municipality.objects.in_default_locale().exclude(kind="region"))
        for number, name in enumerate(demo_data.AMBASSADOR_NAMES):
            municipality = municipalities[number % len(municipalities)]
            Ambassador.objects.create(
                name=name,
                municipality=municipality,
                place=municipality.name.split()[0].removesuffix("s"),
                languages=demo_data.AMBASSADOR_LANGUAGES[number % len(demo_data.AMBASSADOR_LANGUAGES)],
                interests=demo_data.AMBASSADOR_INTERESTS[number % len(demo_data.AMBASSADOR_INTERESTS)],
                moved_from=["Stockholm", "Göteborg", "Malmö", "Oslo"][number % 4],
                text=f"Jag heter {name} och berättar gärna om livet här.",
                email=f"ambassador.{number}@example.org",
                consent_given_at=timezone.now(),
                is_published=True,
            )
            self.created += 1
        return directory

    def meetups(self, home, locales, images):
        """A few meet-ups in several municipalities; one full, with a waiting list."""
        title_sv, intro_sv = demo_data.MEETUP_INDEX["sv"]
        index = self.child(home, EventIndexPage, "traffar", title=title_sv, intro=intro_sv)
        title_en, intro_en = demo_data.MEETUP_INDEX["en"]
        self.translate(index, locales["en"], slug=demo_data.MEETUP_INDEX["en_slug"], title=title_en, intro=intro_en)
        municipalities = {m.slug: m for m in Municipality.objects.in_default_locale()}
        today = timezone.localdate()
        zone = timezone.get_current_timezone()
        image_list = list(images.values()) if isinstance(images, dict) else list(images or [])
        for number, row in enumerate(demo_data.MEETUPS):
            slug, municipality, days, hour, capacity, title, title_en, venue, online, languages, placed, waiting = row
            if EventPage.objects.filter(slug=slug).exists():
                continue
            start = datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour), tzinfo=zone)
            event = self.child(
                index,
                EventPage,
                slug,
                title=title,
                start=start,
                end=start + datetime.timedelta(hours=2),
                municipality=municipalities[municipality],
                venue=venue,
                online_url=online,
                languages=languages,
                capacity=capacity,
                intro=demo_data.MEETUP_TEXT["sv"],
                image=image_list[number % len(image_list)] if image_list else None,
            )
            self.translate(event, locales["en"], title=title_en, intro=demo_data.MEETUP_TEXT["en"])
            # The places taken and the waiting list, as counts only: demo sign-ups
            # name no one (as a sign-up whose person was erased), so the demo
            # holds no registrations.
            Signup.objects.bulk_create(
                Signup(
                    event=event,
                    language="sv",
                    status=Signup.Status.CONFIRMED if person < placed else Signup.Status.WAITING,
                )
                for person in range(placed + waiting)
            )
        return index

    def pdf(self, title, image):
        """A one-page PDF of the cover, made locally."""
        existing = Document.objects.filter(title=title).first()
        if existing:
            return existing
        buffer = io.BytesIO()
        with image.open_file() as handle:
            PILImage.open(handle).convert("RGB").save(buffer, format="PDF")
        document = Document(title=title)
        document.file = ContentFile(buffer.getvalue(), name=f"{title.lower().replace(' ', '-')}.pdf")
        document.file_size = len(buffer.getvalue())  # Wagtail's upload form sets it; code must too
        document.save()
        self.created += 1
        return document

    def international_house(self, home, locales):
        """The international house: a guide in every language, and an employer section."""
        texts = demo_data.INTERNATIONAL_HOUSE
        title, intro = texts["sv"]
        index = self.child(home, GuideIndexPage, texts["slug"], title=title, intro=intro)
        guide = self.guide(index, demo_data.NEWCOMER_GUIDE["slug"], demo_data.NEWCOMER_GUIDE["sv"])
        for code, locale in locales.items():
            if code == "sv" or code not in texts:
                continue
            title, intro = texts[code]
            self.translate(index, locale, slug="international-house", title=title, intro=intro)
            guide_texts = demo_data.NEWCOMER_GUIDE[code]
            self.translate(guide, locale, slug="first-weeks", **self.guide_fields(guide_texts))
        employers = demo_data.EMPLOYERS
        title, intro = employers["sv"]
        section = self.child(index, GuideIndexPage, employers["slug"], title=title, intro=intro)
        employer_guide = self.guide(section, demo_data.EMPLOYER_GUIDE["slug"], demo_data.EMPLOYER_GUIDE["sv"])
        title, intro = employers["en"]
        self.translate(section, locales["en"], slug=employers["en_slug"], title=title, intro=intro)
        self.translate(
            employer_guide,
            locales["en"],
            slug=demo_data.EMPLOYER_GUIDE["en_slug"],
            **self.guide_fields(demo_data.EMPLOYER_GUIDE["en"]),
        )
        return index, section

    def guide(self, parent, slug, texts):
        return self.child(parent, GuidePage, slug, **self.guide_fields(texts))

    def guide_fields(self, texts):
        steps = [
            {"title": title, "text": text, "link_text": link_text, "external_url": url, "page": None}
            for title, text, link_text, url in texts["steps"]
        ]
        return {
            "title": texts["title"],
            "intro": texts["intro"],
            "last_reviewed": datetime.date(2026, 11, 2),
            "body": [
                ("paragraph", RichText(f"<p>{texts['text']}</p>")),
                ("checklist", {"title": texts["checklist"], "steps": steps}),
            ],
        }

    def site_settings(self, home, pages, municipality_pages, sections):
        site = Site.objects.get(root_page=home)
        site_settings = SiteSettings.for_site(site)
        overview = municipality_pages[-1]  # the Region: "not decided yet", and the list of all eight
        old_default = [pages["flyttvagledning"].pk, overview.pk, sections["international"].pk, pages["om-ta-steget"].pk]
        if site_settings.navigation and [item["value"] for item in site_settings.navigation.raw_data] != old_default:
            return  # an editor's menu
        issue = MagazineIssuePage.objects.child_of(sections["magazine"]).live().order_by("-date").first()
        site_settings.navigation = [
            ("section", {"page": overview, "children": municipality_pages[:-1]}),
            ("page", sections["stories"]),
            ("section", {"page": sections["magazine"], "children": [sections["bestall-magasinet"], issue]}),
            ("page", sections["ambassadors"]),
            ("page", sections["coworking"]),
            ("section", {"page": sections["international"], "children": self.guides(sections)}),
            (
                "section",
                {"page": pages["flyttvagledning"], "children": [sections["anmal-intresse"], sections["nyhetsbrev"]]},
            ),
            ("page", pages["om-ta-steget"]),
        ]
        if not site_settings.footer_links:
            site_settings.footer_links = [("page", pages["tillganglighet"]), ("page", pages["personuppgifter"])]
            site_settings.contact_email = "tasteget@example.org"
            site_settings.contact_phone = "+46 63 14 60 00"
            site_settings.postal_address = "Region Jämtland Härjedalen\nBox 654\n831 27 Östersund"
            site_settings.social_links = [
                ("link", {"service": "Instagram", "url": "https://www.instagram.com/tasteget/"})
            ]
        site_settings.save()
        self.created += 1

    def guides(self, sections):
        """The international house's guides and its employer section, for the menu."""
        house = sections["international"]
        return [*GuidePage.objects.child_of(house).live(), sections["employers"]]
