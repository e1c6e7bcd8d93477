from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from champions.models import ChampionAppointment
from keepitlocal.forms import BaseForm, DateField, OneTimeForm
from keepitlocal.models import Council
from principles.models import Stage


class _OwnFormTag(BaseForm):
    """The page writes the <form> element itself, so crispy must not add another."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False


class AppointmentForm(OneTimeForm, _OwnFormTag):
    kind = forms.ChoiceField(
        label="Which champion?",
        choices=ChampionAppointment.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which champion this is",
            "invalid_choice": "Select which champion this is",
        },
    )
    person = forms.ModelChoiceField(
        label="Person of the council",
        queryset=None,
        required=False,
        empty_label="Someone without an account",
        error_messages={"invalid_choice": "Select a person from the list"},
    )
    person_name = forms.CharField(
        label="Or their name, if they have no account",
        required=False,
        max_length=200,
        help_text="For example, Councillor Jane Smith",
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Their post, for example Lead Member for Resources and Climate Change",
        error_messages={"required": "Enter their title"},
    )
    starts_on = DateField(
        label="From", label_for_errors="start date", help_text="For example, 26 7 2022"
    )
    ends_on = DateField(
        label="To (for a past appointment)",
        label_for_errors="end date",
        required=False,
        require_all_fields=False,
        help_text="Leave blank while they are in post",
    )
    decision = forms.CharField(
        label="Decision that appointed them",
        max_length=300,
        required=False,
        help_text="For example, Lead Member decision of 26 July 2022, recommendation 3",
    )
    decision_url = forms.URLField(
        label="Link to the decision",
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the link in the correct format, like https://www.example.gov.uk/decision"
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def clean(self):
        cleaned = super().clean()
        person, name = cleaned.get("person"), (cleaned.get("person_name") or "").strip()
        if person and name:
            self.add_error(
                "person_name", "Choose a person of the council or enter a name, not both"
            )
        elif not person and not name and "person" not in self.errors:
            self.add_error("person", "Choose a person of the council or enter their name")
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return cleaned


class EndAppointmentForm(_OwnFormTag):
    submit_label = "End appointment"

    ends_on = DateField(
        label="Last day in post",
        label_for_errors="last day in post",
        help_text="For example, 31 3 2026",
    )

    def __init__(self, *args, appointment: ChampionAppointment, **kwargs):
        self.appointment = appointment
        super().__init__(*args, **kwargs)

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < self.appointment.starts_on:
            raise ValidationError(
                f"The last day in post must be on or after "
                f"{self.appointment.starts_on.day} {self.appointment.starts_on:%B %Y}, "
                "when the appointment started"
            )
        return ends_on

    @staticmethod
    def initial_for() -> dict:
        return {"ends_on": timezone.localdate()}


class SharingForm(_OwnFormTag):
    shares_with_peers = forms.TypedChoiceField(
        label="Share your council’s progress with peer councils?",
        choices=[
            ("yes", "Yes, share it"),
            ("no", "No, keep it to our council and Locality"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether to share your progress with peer councils",
            "invalid_choice": "Select whether to share your progress with peer councils",
        },
    )


class NetworkFilterForm(_OwnFormTag):
    """Filters and sort order for the network table, read from the query string."""

    submit_label = "Apply filters"

    q = forms.CharField(label="Council name", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind of authority",
        required=False,
        choices=[("", "Any kind"), *Council.Kind.choices],
        error_messages={"invalid_choice": "Select a kind of authority from the list"},
    )
    champions = forms.ChoiceField(
        label="Champions",
        required=False,
        choices=[("", "Any"), ("both", "Both in post"), ("vacancy", "A champion post vacant")],
        error_messages={"invalid_choice": "Select an option for champions from the list"},
    )
    principle = forms.TypedChoiceField(
        label="Principle",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any principle"), *((str(n), f"Principle {n}") for n in range(1, 7))],
        error_messages={"invalid_choice": "Select a principle from the list"},
    )
    stage = forms.ChoiceField(
        label="At stage",
        required=False,
        choices=[("", "Any stage"), *Stage.choices],
        error_messages={"invalid_choice": "Select a stage from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A GET form: no CSRF token, and the page draws an unnamed button so the
        # query string holds only the filters.
        self.helper.disable_csrf = True
        self.helper.inputs = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("stage") and not cleaned.get("principle") and "principle" not in self.errors:
            self.add_error("principle", "Select the principle the stage is for")
        return cleaned

    def filters(self) -> dict:
        """The valid answers only, so one mistyped filter does not empty the table."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in (None, "")
        }
