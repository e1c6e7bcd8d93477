"""WSGI entry point: ``gunicorn keepitlocal.wsgi``."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    from django.conf import settings

    if not settings.DEBUG:
        # Signing needs the CA; refuse to serve without one rather than fail at signing.
        from endorsements.ca import signing_authority

        signing_authority()
except ImproperlyConfigured as exc:
    sys.exit(f"Keep it Local cannot start: {exc}")
