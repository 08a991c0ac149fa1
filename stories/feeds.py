from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from tasteget.helpers import absolute_url

SITE_NAME = "Ta steget"


class StoryFeed(Feed):
    """Atom feed of one story index: one feed per language."""

    feed_type = Atom1Feed

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return f"{self.index_page.title} – Ta steget"

    # Absolute addresses on the configured host: the feed is cached for
    # everyone, so never the request's Host (docs/security.md).
    def link(self):
        return absolute_url(self.index_page.url)

    def feed_url(self):
        return absolute_url(self.request.path)

    def subtitle(self):
        return self.index_page.intro

    def items(self):
        return self.index_page.stories()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return absolute_url(item.url)

    def item_pubdate(self, item):
        return item.first_published_at

    # Atom wants each entry's last change and an author: the stories are
    # told by the people in them and written by the site's editors.
    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def author_name(self):
        return SITE_NAME

    def author_link(self):
        return absolute_url("/")

    def item_author_name(self, item):
        return SITE_NAME

    def item_author_link(self, item):
        return absolute_url("/")
