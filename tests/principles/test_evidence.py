import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from principles.models import Evidence
from tests.factories import EvidenceFactory
from tests.html import page, text

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def add_url(council):
    return f"/councils/{council.slug}/principles/3/evidence/add/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post(client, address, upload=None, **fields):
    data = {"title": "Spend report 2025", "description": "", "url": "", **fields}
    if upload is not None:
        data["file"] = upload
    return client.post(address, data, follow=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("plan.docx", docx_bytes(), "wordprocessingml"),
        ("spend.csv", "supplier,amount\nCafé Ltd,£10\n".encode("cp1252"), "text/csv"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
    ],
)
def test_officer_uploads_evidence_checked_by_content(
    client, officer, council, add_url, name, content, content_type
):
    client.force_login(officer)
    response = post(client, add_url, SimpleUploadedFile(name, content))
    assert "Evidence “Spend report 2025” added." in text(page(response))
    evidence = Evidence.objects.get(council=council)
    assert content_type in evidence.file_type
    assert evidence.file_size == len(content)
    download = client.get(f"/councils/{council.slug}/principles/3/evidence/{evidence.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 60, "The file is not a real .pdf file"),
        ("plan.docx", b"PK\x03\x04not really a zip", "The file is not a real .docx file"),
        ("data.csv", b"<html><script>alert(1)</script></html>", "The file is not a real .csv file"),
        ("tool.exe", b"MZ\x90\x00", "The file must be a PDF"),
        ("noextension", b"%PDF-1.7", "The file must be a PDF"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_disguised_or_unsupported_files_are_refused_and_nothing_stored(
    client, officer, council, add_url, settings, name, content, message
):
    client.force_login(officer)
    response = post(client, add_url, SimpleUploadedFile(name, content))
    assert message in text(page(response).cssselect(".govuk-error-summary")[0])
    assert not Evidence.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(media.rglob("*.*"))


@pytest.mark.django_db
def test_files_over_10_mb_are_refused(client, officer, council, add_url, settings):
    client.force_login(officer)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    response = post(client, add_url, big)
    assert "must be smaller than 10 MB" in text(page(response))
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_needs_a_link_or_a_file(client, officer, council, add_url):
    client.force_login(officer)
    response = post(client, add_url)
    assert "Enter a link or upload a file" in text(page(response))
    response = post(client, add_url, url="https://www.example.org/minutes")
    assert Evidence.objects.get().url == "https://www.example.org/minutes"


@pytest.mark.django_db
def test_link_only_evidence_has_no_download(client, officer, council):
    evidence = EvidenceFactory(council=council, file="")
    client.force_login(officer)
    url = f"/councils/{council.slug}/principles/3/evidence/{evidence.pk}/file/"
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_chosen_file_must_be_chosen_again_when_the_page_has_errors(client, officer, add_url):
    client.force_login(officer)
    response = post(client, add_url, SimpleUploadedFile("report.pdf", PDF), title="")
    summary = text(page(response).cssselect(".govuk-error-summary")[0])
    assert "Enter a title" in summary
    assert "Select the file again after fixing the other answers" in summary
    assert not Evidence.objects.exists()
