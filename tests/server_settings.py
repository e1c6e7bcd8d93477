"""Settings for the gunicorn servers that ``tests/test_served.py`` starts.

The app's own settings, except that static files are served from the app folders as in the
other tests: nothing is collected for a test run, so there is no manifest to look names up in.
"""

from keepitlocal.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
