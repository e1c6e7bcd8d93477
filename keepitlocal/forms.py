import datetime
import uuid

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


def submit_button(label: str, name: str = "submit", **attrs) -> Submit:
    """A form's main button. GOV.UK Frontend's Button ignores a second click within a second
    of the first, so a double click sends the form once."""
    return Submit(
        name, label, data_module="govuk-button", data_prevent_double_click="true", **attrs
    )


class BaseForm(forms.Form):
    """A form rendered with the GOV.UK Design System through crispy-forms-gds.

    The error summary is drawn by the page above the form, so the helper only
    lays out the fields and the one submit button.
    """

    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False  # each page draws its own <form> around the fields
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.add_input(submit_button(self.submit_label))


class OneTimeForm(BaseForm):
    """An add form: it carries a one-time token, so sending it twice adds one record."""

    # Text, not a UUID field: a token mangled on the way protects nothing, but is no reason to
    # refuse the person's work (the contract ignores one that is not a UUID).
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())

    def record_fields(self) -> dict:
        """The cleaned values for the record itself, without the token."""
        return {k: v for k, v in self.cleaned_data.items() if k not in FORM_ONLY_FIELDS}


FORM_ONLY_FIELDS = {"submission", "version"}


class VersionedForm(BaseForm):
    """An edit form: it carries the version the person started from, so that what others save
    meanwhile is merged with their edit, never overwritten by it (ADR 0012)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def record_fields(self) -> dict:
        """The cleaned values for the record itself, without the version."""
        return {k: v for k, v in self.cleaned_data.items() if k not in FORM_ONLY_FIELDS}

    def form_value(self, name: str, value):
        """``value`` as this form's field ``name`` takes it (override for fields that differ
        from the record's, such as a list shown one item a line)."""
        return value

    def rebase(self, conflict) -> None:
        """Show the form again on the version saved now (``EditConflict``): what the others
        saved, with this person's own changes kept in the inputs, and on each field that both
        changed an error giving the other person's value."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(conflict.version)
        for name, value in conflict.rebased.items():
            if name in self.fields:
                set_form_data(self, data, name, self.form_value(name, value))
        self.data = data
        self.add_error(None, f"{conflict.changed_by} changed this while you were editing it")
        for item in conflict.conflicts:
            theirs = item.theirs if len(item.theirs) <= 200 else item.theirs[:199] + "…"
            self.add_error(
                item.field if item.field in self.fields else None,
                f"{conflict.changed_by} changed the {item.label.lower()} to “{theirs}” while you "
                "were editing. Yours is kept here: save to use yours, or change it",
            )


def set_form_data(form, data, name: str, value) -> None:
    """Put ``value`` into a copy of a form's submitted ``data`` as field ``name`` would post it."""
    field = form.fields[name]
    widget = field.widget
    key = form.add_prefix(name)
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value) if value is not None else [None] * len(widget.widgets)
        for suffix, part in zip(widget.widgets_names, parts, strict=True):
            data[key + suffix] = "" if part is None else str(part)
        return
    if isinstance(widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
        return
    if isinstance(value, list | tuple | set):
        data.setlist(key, [str(getattr(item, "pk", item)) for item in value])
        return
    if value is None:
        data[key] = ""
    elif isinstance(value, bool):
        data[key] = "True" if value else "False"
    else:
        data[key] = str(getattr(value, "pk", value))


class RemovalForm(BaseForm):
    """Confirming a removal, with why: the reason stays in the history."""

    submit_label = "Remove"

    reason = forms.CharField(
        label="Why is it being removed?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, added to the wrong principle. This stays in the history.",
        error_messages={"required": "Enter why it is being removed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = [submit_button(self.submit_label, css_class="govuk-button--warning")]


class DateField(DateInputField):
    """A GOV.UK date input (day, month, year) with plain-English errors."""

    def __init__(self, *, label_for_errors: str, **kwargs):
        self.label_for_errors = label_for_errors
        super().__init__(**kwargs)
        message = f"Enter the {label_for_errors} as a day, month and year"
        self.error_messages["required"] = message
        self.error_messages["incomplete"] = message
        for field, part in zip(self.fields, ("day", "month", "year"), strict=True):
            field.error_messages["incomplete"] = f"The {label_for_errors} must include a {part}"
            field.validators[0].message = f"The {label_for_errors} must be a real date"

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(year) != 4:
            raise ValidationError(f"The year of the {self.label_for_errors} must have 4 numbers")
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(f"The {self.label_for_errors} must be a real date") from None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no database key could hold before asking the database about them."""

    def _check_values(self, value):
        for item in value:
            try:
                number = int(str(item))
            except ValueError:
                continue  # the parent class reports it as an invalid choice
            if not -(2**63) <= number < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account cannot sign in. Ask your council admin for help.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = FormHelper(self)
        self.helper.form_tag = False  # each page draws its own <form> around the fields
        self.helper.label_size = Size.SMALL
        self.helper.add_input(submit_button("Sign in"))


class DecisionToJoinForm(VersionedForm):
    decided_on = DateField(
        label="Date of decision",
        label_for_errors="date of the decision",
        help_text="For example, 26 7 2022",
    )
    decision_maker = forms.CharField(
        label="Decision-maker",
        max_length=200,
        help_text="For example, Lead Member for Resources and Climate Change",
        error_messages={"required": "Enter who took the decision"},
    )
    report_title = forms.CharField(
        label="Report title",
        max_length=300,
        error_messages={"required": "Enter the title of the report"},
    )
    report_url = forms.URLField(
        label="Link to the report",
        max_length=500,
        required=False,
        assume_scheme="https",
        # A text input so crispy-forms-gds styles it, and its error state, like the others.
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        help_text="The public web page of the decision or its report",
        error_messages={
            "invalid": "Enter the link in the correct format, like https://www.example.gov.uk/report"
        },
    )
    recommendations = forms.CharField(
        label="Recommendations",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        help_text="Enter each recommendation on its own line, in the order agreed",
        error_messages={"required": "Enter at least one recommendation"},
    )
    delegated_to = forms.CharField(
        label="Authority delegated to",
        max_length=200,
        required=False,
        help_text="For example, Director of Adult Social Care and Health",
    )
    partner_membership_starts_on = DateField(
        label="Locality partner membership start date",
        label_for_errors="membership start date",
        required=False,
        require_all_fields=False,
        help_text="Joining gives one year of free partner membership",
    )
    partner_membership_renews_on = DateField(
        label="Renewal date (optional)",
        label_for_errors="renewal date",
        required=False,
        require_all_fields=False,
        help_text="Leave blank for one year after the start date",
    )

    def clean_recommendations(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["recommendations"].splitlines()]
        items = [line for line in lines if line]
        if not items:
            raise ValidationError("Enter at least one recommendation")
        return items

    def clean(self):
        cleaned = super().clean()
        starts, renews = (
            cleaned.get("partner_membership_starts_on"),
            cleaned.get("partner_membership_renews_on"),
        )
        if renews and not starts:
            self.add_error(
                "partner_membership_starts_on", "Enter the date partner membership started"
            )
        elif starts and renews and renews <= starts:
            self.add_error(
                "partner_membership_renews_on", "The renewal date must be after the start date"
            )
        return cleaned

    def form_value(self, name: str, value):
        if name == "recommendations":
            return "\n".join(value or [])
        return value

    @classmethod
    def initial_from(cls, decision) -> dict:
        if decision is None:
            return {"version": 0}
        return {
            "version": decision.version,
            "decided_on": decision.decided_on,
            "decision_maker": decision.decision_maker,
            "report_title": decision.report_title,
            "report_url": decision.report_url,
            "recommendations": "\n".join(decision.recommendations),
            "delegated_to": decision.delegated_to,
            "partner_membership_starts_on": decision.partner_membership_starts_on,
            "partner_membership_renews_on": decision.partner_membership_renews_on,
        }


class LocalPartnerForm(OneTimeForm):
    submit_label = "Add partner"

    name = forms.CharField(
        label="Organisation name",
        max_length=200,
        error_messages={"required": "Enter the organisation's name"},
    )

    def __init__(self, *args, council, **kwargs):
        self.council = council
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Enter the organisation's name")
        existing = self.council.local_partners.filter(name__iexact=name).first()
        if existing is not None:
            raise ValidationError(f"{existing.name} is already on your list")
        return name


class CommunityConversationForm(OneTimeForm):
    held_on = DateField(
        label="Date", label_for_errors="date of the conversation", help_text="For example, 5 3 2026"
    )
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    partners = ModelMultipleChoiceField(
        label="Organisations involved",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select organisations from the list"},
    )
    people_count = forms.IntegerField(
        label="Number of people",
        required=False,
        min_value=0,
        max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={
            "invalid": "Enter the number of people as a whole number, like 25",
            "min_value": "The number of people cannot be negative",
            "max_value": "The number of people must be 1,000,000 or fewer",
        },
    )
    summary = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    principles = ModelMultipleChoiceField(
        label="Which principles did it touch?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select principles from the list"},
    )
    outcomes = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Enter each outcome on its own line. You can turn one into an action later.",
    )

    def __init__(self, *args, council, **kwargs):
        from principles.selectors import principle_list

        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = council.local_partners.all()
        self.fields["principles"].queryset = principle_list()

    def clean_outcomes(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["outcomes"].splitlines() if line.strip()]


class OutcomeToActionForm(BaseForm):
    submit_label = "Turn into an action"

    principle = forms.ModelChoiceField(
        label="Which principle is the action for?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the principle the action is for",
            "invalid_choice": "Select the principle the action is for",
        },
    )

    def __init__(self, *args, **kwargs):
        from principles.selectors import principle_list

        super().__init__(*args, **kwargs)
        self.fields["principle"].queryset = principle_list()
