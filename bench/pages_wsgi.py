"""The project's WSGI application with ``bench/pages.py``'s reference page added, for
``bench/pages.py --http`` (gunicorn imports it from ``bench/``)."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

import pages  # noqa: E402 - Django is set up by get_wsgi_application

pages.urlconf()
settings.ROOT_URLCONF = "pages"
