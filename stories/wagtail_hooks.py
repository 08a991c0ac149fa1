from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import StoryTopic


class StoryTopicViewSet(SnippetViewSet):
    model = StoryTopic
    icon = "tag"
    menu_label = _("Story topics")
    list_display = ["name", "slug", "locale"]
    list_filter = ["locale"]
    search_fields = ["name"]
    add_to_admin_menu = False


register_snippet(StoryTopicViewSet)
