from django.core.management.base import BaseCommand
from wagtail.images import get_image_model

from home import renditions


class Command(BaseCommand):
    help = "Make every rendition the site's templates use, for every image (existing ones are kept)."

    def handle(self, *args, **options):
        count = 0
        for image in get_image_model().objects.order_by("pk").iterator():
            count += len(renditions.make(image))
        self.stdout.write(f"renditions: {count} for {get_image_model().objects.count()} images")
