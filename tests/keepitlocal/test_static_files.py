"""Production static files: collectstatic with the manifest storage must succeed."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_collectstatic_builds_the_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/application.*.css"))


def test_compiled_css_has_no_gov_uk_typeface_or_brand_blue():

    css = (Path(__file__).resolve().parents[2] / "static/css/application.css").read_text()
    assert "GDS Transport" not in css
    assert "font-family:Helvetica,Arial,sans-serif" in css
    # The header and navigation carry the service's own green, not GOV.UK brand blue.
    brand_rules = re.findall(r"[^}]*govuk-(?:generic-header|service-navigation)[^{]*\{[^}]*\}", css)
    assert brand_rules
    assert not [rule for rule in brand_rules if "#1d70b8" in rule.lower()]
    assert "#0b5c3e" in css
