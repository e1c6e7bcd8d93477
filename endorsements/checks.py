"""Refuse to run without a signing CA, except when debugging."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from endorsements.ca import signing_authority


@checks.register(checks.Tags.security)
def signing_ca_configured(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    try:
        signing_authority()
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                str(exc),
                hint="Make one with `python manage.py make_signing_ca DIRECTORY` and set "
                "SIGNING_CA_CERT_FILE and SIGNING_CA_KEY_FILE (see docs/operations.md).",
                id="endorsements.E001",
            )
        ]
    return []
