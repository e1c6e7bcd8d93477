"""Reading PDFs in tests with poppler's tools, apart from the code that made them."""

import shutil
import subprocess
import tempfile
from pathlib import Path


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: make test installs poppler-utils"
    return path


def pdf_text(data: bytes) -> str:
    """The text a reader sees, signature appearances included (poppler's pdftotext)."""
    result = subprocess.run(
        [_tool("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


def pdf_words(data: bytes) -> str:
    """The text as one line of words, so a phrase is found wherever a line was broken."""
    result = subprocess.run(
        [_tool("pdftotext"), "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def word_heights(data: bytes) -> list[tuple[float, str]]:
    """The height of each word's box, in points, with the word (pdftotext -bbox)."""
    result = subprocess.run(
        [_tool("pdftotext"), "-bbox", "-", "-"], input=data, capture_output=True, check=True
    )
    from lxml import html

    page = html.fromstring(result.stdout)
    return [
        (float(word.get("ymax")) - float(word.get("ymin")), word.text_content())
        for word in page.iter("word")
    ]


def pdf_attachments(data: bytes) -> dict[str, bytes]:
    """The files attached to a PDF, by name (poppler's pdfdetach)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(data)
        out = Path(folder) / "out"
        out.mkdir()
        subprocess.run(
            [_tool("pdfdetach"), "-saveall", "-o", str(out), str(source)],
            capture_output=True,
            check=True,
        )
        return {path.name: path.read_bytes() for path in out.iterdir()}
