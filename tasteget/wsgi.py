"""The WSGI application (gunicorn in production, docs/deployment.md)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tasteget.settings.production")

application = get_wsgi_application()

# Everything loaded so far (Django, Wagtail, the models, the URL patterns)
# lives as long as the process. Left to the collector, a full collection
# walks all of it again, about 150 ms in which a request waits; frozen,
# it is never scanned (and a forked worker shares those pages with its
# parent instead of copying them). Measured in docs/performance.md.
gc.freeze()
