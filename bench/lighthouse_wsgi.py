"""The site's WSGI application with uploaded media served beside it.

In production the TLS proxy in front of the site serves /media/ from the
media volume; bench/lighthouse.py has no such proxy, so this wrapper stands
in for it (WhiteNoise, looking up renditions as they are made).
"""

from django.conf import settings
from whitenoise import WhiteNoise

from tasteget.wsgi import application as site

application = WhiteNoise(site, autorefresh=True, max_age=3600)
application.add_files(str(settings.MEDIA_ROOT), prefix=settings.MEDIA_URL)
