import base64
import binascii
import io
import re

from crispy_forms_gds.layout import HTML, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from PIL import Image, UnidentifiedImageError

from endorsements.models import Endorsement
from endorsements.services import INTENT_STATEMENT
from keepitlocal.forms import BaseForm

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_DRAWING_BYTES = 300 * 1024
DEFAULT_STATEMENT = (
    "{council} has decided to join Locality's Keep it Local network. We endorse the six Keep it"
    " Local principles set out below and commit to putting them into practice: to think about"
    " the whole system, to co-ordinate services at a neighbourhood level, to increase local"
    " spend, to intervene early, to support local organisations and to commission simply and"
    " collaboratively, so that our services are local by default."
)


class PrepareForm(BaseForm):
    submit_label = "Save"

    statement = forms.CharField(
        label="Statement of endorsement",
        help_text="Printed at the top of the endorsement, above the decision and the principles.",
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=5000,
        error_messages={"required": "Enter the statement of endorsement"},
    )
    first = forms.ChoiceField(
        label="Who signs first", error_messages={"required": "Choose who signs first"}
    )
    second = forms.ChoiceField(label="Who signs second (optional)", required=False)
    third = forms.ChoiceField(label="Who signs third (optional)", required=False)
    signing_order = forms.ChoiceField(
        label="How do they sign?",
        choices=Endorsement.SigningOrder.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they sign"},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(m.user_id): m.user for m in memberships}
        people = [(str(m.user_id), f"{m.user} – {m.get_role_display()}") for m in memberships]
        self.fields["first"].choices = [("", "Choose a person"), *people]
        for name in ("second", "third"):
            self.fields[name].choices = [("", "Nobody else"), *people]
        invalid = "Choose a person of this council"
        for name in ("first", "second", "third"):
            self.fields[name].error_messages["invalid_choice"] = invalid

    def clean(self):
        cleaned = super().clean()
        chosen = [self.people.get(cleaned.get(name) or "") for name in ("first", "second", "third")]
        if chosen[2] and not chosen[1]:
            self.add_error("second", "Choose who signs second before who signs third")
        people = [person for person in chosen if person]
        if len({p.pk for p in people}) != len(people):
            self.add_error("second", "Name each person only once")
        cleaned["signatories"] = people
        return cleaned

    def service_values(self) -> dict:
        return {
            "statement": self.cleaned_data["statement"],
            "signatories": self.cleaned_data["signatories"],
            "signing_order": self.cleaned_data["signing_order"],
        }


class _OpenedDocumentForm(BaseForm):
    """Carries the SHA-256 of the document as the person saw it, to refuse stale posts."""

    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


def _png_from_data_uri(value: str) -> bytes:
    """The PNG a drawing pad sent, re-encoded so only its pixels are kept."""
    prefix = "data:image/png;base64,"
    unreadable = ValidationError("The drawn signature could not be read. Clear it and draw again.")
    if not value.startswith(prefix):
        raise unreadable
    try:
        raw = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise unreadable from None
    if len(raw) > MAX_DRAWING_BYTES:
        raise ValidationError("The drawn signature is too large. Clear it and draw again.")
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG" or image.width > 2000 or image.height > 1000:
                raise unreadable
            image.load()
            clean = io.BytesIO()
            image.convert("RGBA").save(clean, format="PNG")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    return clean.getvalue()


def _normalised_name(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


class SignForm(_OpenedDocumentForm):
    submit_label = "Sign endorsement"

    password = forms.CharField(
        label="Your password",
        help_text="Enter the password you use to sign in, to confirm it is you signing.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        max_length=4096,
        error_messages={"required": "Enter your password"},
    )
    intent = forms.BooleanField(
        label=INTENT_STATEMENT,
        error_messages={"required": "Confirm the statement to sign the endorsement"},
    )
    typed_name = forms.CharField(
        label="Your full name",
        help_text="Type your name exactly as it appears on the endorsement.",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Type your full name"},
    )
    drawn_signature = forms.CharField(
        widget=forms.HiddenInput(attrs={"id": "id_drawn_signature"}),
        required=False,
        max_length=MAX_DRAWING_BYTES * 2,
    )

    def __init__(self, *args, signatory_name: str, **kwargs):
        self.signatory_name = signatory_name
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "document_sha256",
            "password",
            "intent",
            "typed_name",
            HTML(render_to_string("endorsements/includes/signature_pad.html")),
            "drawn_signature",
        )

    def clean_typed_name(self) -> str:
        typed = re.sub(r"\s+", " ", self.cleaned_data["typed_name"]).strip()
        if _normalised_name(typed) != _normalised_name(self.signatory_name):
            raise ValidationError(
                f"Type your full name as it appears on the endorsement: {self.signatory_name}"
            )
        return typed

    def clean_drawn_signature(self) -> bytes | None:
        # The drawing travels in a hidden field, so its problems are reported
        # for the form as a whole, where the error summary shows them.
        value = self.cleaned_data["drawn_signature"]
        if not value:
            return None
        try:
            return _png_from_data_uri(value)
        except ValidationError as exc:
            self.add_error(None, exc)
            return None

    def service_values(self) -> dict:
        return {
            "password": self.cleaned_data["password"],
            "typed_name": self.cleaned_data["typed_name"],
            "drawn_signature": self.cleaned_data["drawn_signature"],
            "opened_sha256": self.cleaned_data["document_sha256"],
        }


class DeclineForm(_OpenedDocumentForm):
    submit_label = "Decline to sign"

    reason = forms.CharField(
        label="Why are you declining to sign?",
        help_text="The council admin will see this, and it stays in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say why you are declining to sign"},
    )


class VoidForm(BaseForm):
    submit_label = "Void endorsement"

    reason = forms.CharField(
        label="Why are you voiding it?",
        help_text="Signatories and anyone checking the verification code will see this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say why you are voiding the endorsement"},
    )


class VerifyCodeForm(BaseForm):
    submit_label = "Check code"

    code = forms.CharField(
        label="Verification code",
        help_text=(
            "Printed at the foot of every page of the endorsement, for example 7K2M-Q9XD-4RTA-PW3N."
        ),
        max_length=40,
        error_messages={"required": "Enter the verification code"},
    )


class VerifyUploadForm(BaseForm):
    submit_label = "Check file"

    file = forms.FileField(
        label="Upload a copy of the PDF",
        help_text="PDF only, up to 20 MB.",
        error_messages={
            "required": "Choose the PDF to check",
            "empty": "The chosen file is empty",
            "invalid": "Choose the PDF to check",
        },
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file must be smaller than 20 MB")
        head = upload.read(1024)
        if b"%PDF-" not in head:
            raise ValidationError("The file must be a PDF")
        upload.seek(0)
        return upload.read()
