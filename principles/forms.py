import zipfile

import puremagic
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from keepitlocal.forms import DateField, OneTimeForm, VersionedForm
from principles.models import Action, Rag, Stage

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# Extension → the content type we store and serve it with.
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv",
}
_OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def evidence_file_type(upload) -> str:
    """The content type of an evidence file, decided by what it contains.

    Raises ValidationError when the content is not what the name says, so a
    program renamed to ``report.pdf`` is refused.
    """
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            "The file must be a PDF, an Office or OpenDocument file, an image (PNG, JPG, GIF, "
            "WebP) or a CSV"
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not _content_matches(extension, head, upload):
        raise ValidationError(f"The file is not a real .{extension} file")
    return EVIDENCE_TYPES[extension]


def _content_matches(extension: str, head: bytes, upload) -> bool:
    if extension in _OOXML_FOLDER or extension in {"odt", "ods"}:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
                if extension in _OOXML_FOLDER:
                    return "[Content_Types].xml" in names and any(
                        n.startswith(_OOXML_FOLDER[extension]) for n in names
                    )
                mimetype = archive.read("mimetype").decode("ascii", "replace")
                return mimetype == EVIDENCE_TYPES[extension]
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
            return False
        finally:
            upload.seek(0)
    if extension in {"doc", "xls", "ppt"}:
        return head.startswith(_OLE2)
    if extension == "csv":
        return _looks_like_csv(head)
    try:
        guesses = puremagic.magic_string(head)
    except puremagic.PureError:
        return False
    wanted = {"jpeg": "jpg"}.get(extension, extension)
    return any(g.extension.lstrip(".").lower() in {wanted, extension} for g in guesses[:3])


def _looks_like_csv(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    # Markup renamed to .csv is refused; any other plain text can be a CSV.
    return not text.lstrip().lower().startswith(("<!doctype", "<html", "<script", "<svg", "<?xml"))


class ProgressForm(VersionedForm):
    stage = forms.ChoiceField(
        label="Stage",
        choices=Stage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a stage", "invalid_choice": "Select a stage"},
    )
    rag = forms.ChoiceField(
        label="RAG status",
        choices=Rag.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Red: at risk. Amber: some concerns. Green: on track.",
        error_messages={"invalid_choice": "Select a RAG status"},
    )
    narrative = forms.CharField(
        label="Summary",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Where the council is with this principle, in plain English",
    )
    next_steps = forms.CharField(
        label="Next steps",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.legend_size = Size.SMALL


class ActionForm(VersionedForm, OneTimeForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter what the action is"})
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=None,
        required=False,
        empty_label="No one from the council",
        help_text="A person of the council",
        error_messages={"invalid_choice": "Select a person from the list"},
    )
    owner_name = forms.CharField(
        label="Or a named partner",
        required=False,
        max_length=200,
        help_text="For example, a local voluntary organisation",
    )
    due_on = DateField(
        label="Due date",
        label_for_errors="due date",
        required=False,
        require_all_fields=False,
        help_text="For example, 31 3 2027",
    )
    status = forms.ChoiceField(
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        initial=Action.Status.NOT_STARTED,
        error_messages={"required": "Select a status", "invalid_choice": "Select a status"},
    )
    completed_on = DateField(
        label="Completed date",
        label_for_errors="completed date",
        required=False,
        require_all_fields=False,
        help_text="Leave blank for today when the action is done",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner") and cleaned.get("owner_name"):
            self.add_error(
                "owner_name", "Choose a person of the council or name a partner, not both"
            )
        completed = cleaned.get("completed_on")
        if completed and completed > timezone.localdate():
            self.add_error("completed_on", "The completed date must be today or in the past")
        return cleaned


class EvidenceForm(OneTimeForm):
    submit_label = "Add evidence"

    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    dated_on = DateField(
        label="Date",
        label_for_errors="date",
        required=False,
        require_all_fields=False,
        help_text="When the evidence was produced, for example 3 3 2026",
    )
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the link in the correct format, like https://www.example.org"
        },
    )
    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text="PDF, Office or OpenDocument file, image or CSV, up to 10 MB",
        error_messages={
            "invalid": "The selected file could not be read",
            "empty": "The selected file is empty",
            "max_length": "The file name must be 200 characters or fewer",
        },
        max_length=200,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_EVIDENCE_BYTES:
            raise ValidationError("The selected file must be smaller than 10 MB")
        self.file_type = evidence_file_type(upload)
        return upload

    def keeps_a_file(self, cleaned: dict) -> bool:
        return bool(cleaned.get("file"))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("url") and not self.keeps_a_file(cleaned):
            self.add_error("url", "Enter a link or upload a file")
        elif self.errors and "file" not in self.errors and self.files.get("file"):
            # Browsers cannot keep a chosen file when the page comes back with errors.
            self.add_error("file", "Select the file again after fixing the other answers")
        return cleaned


class EvidenceChangeForm(VersionedForm, EvidenceForm):
    """Correcting evidence: its details, a file in place of the current one, or no file."""

    submit_label = "Save"

    remove_file = forms.BooleanField(
        label="Remove the current file", required=False, help_text="The link must then remain"
    )

    def __init__(self, *args, current_file: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.current_file = current_file
        self.fields["file"].label = "Replace the file" if current_file else "Upload a file"
        if not current_file:
            del self.fields["remove_file"]

    def keeps_a_file(self, cleaned: dict) -> bool:
        return bool(cleaned.get("file")) or (
            bool(self.current_file) and not cleaned.get("remove_file")
        )

    def record_fields(self) -> dict:
        fields = super().record_fields()
        fields.pop("file", None)
        fields.pop("remove_file", None)
        return fields
