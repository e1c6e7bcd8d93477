"""Forms for practice assessments and the framework."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import ValidationError

from keepitlocal.forms import BaseForm, OneTimeForm
from principles.assessments.models import Answer, Level
from principles.assessments.services import NotAllowedNow, answer_fingerprint, assessment_period
from principles.spend.models import financial_year_label, financial_year_of

MAX_COMMENT = 5000


def suggested_period(today) -> str:
    return financial_year_label(financial_year_of(today))


class StartAssessmentForm(OneTimeForm):
    submit_label = "Start assessment"

    period = forms.CharField(
        label="Which period does the assessment cover?",
        help_text="A financial year, for example 2026-27, or a quarter of one, like 2026-27 Q1.",
        max_length=20,
        error_messages={
            "required": "Enter the period the assessment covers, for example 2026-27",
            "max_length": "The period must be 20 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.label_size = Size.MEDIUM
        self.fields["period"].widget.attrs["class"] = "govuk-input--width-10"

    def clean_period(self) -> str:
        try:
            return assessment_period(self.cleaned_data["period"])
        except NotAllowedNow as refusal:
            raise ValidationError(str(refusal)) from None


class AssessmentPeriodForm(StartAssessmentForm):
    """Correcting the period of a draft assessment."""

    submit_label = "Save"


class AnswerForm(forms.Form):
    """One criterion's answer. The answers page shows one per criterion, prefixed by its id.

    ``version`` is the answer's version when the page was opened and ``seen`` what it said
    then, so that only answers this person changed are saved, and one changed by someone else
    meanwhile is reported instead of overwritten."""

    level = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_COMMENT,
        error_messages={"max_length": f"The comment must be {MAX_COMMENT} characters or fewer"},
    )
    evidence = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    seen = forms.CharField(widget=forms.HiddenInput, max_length=16, required=False)

    def __init__(self, *args, answer: Answer, evidence: list, **kwargs):
        self.answer = answer
        self.criterion = answer.criterion
        self.evidence_items = {item.pk: item for item in evidence}
        linked = [item.pk for item in answer.evidence.all()]
        kwargs.setdefault(
            "initial",
            {
                "level": answer.level,
                "comment": answer.comment,
                "evidence": linked,
                "version": answer.version,
                "seen": answer_fingerprint(answer.level, answer.comment, linked),
            },
        )
        super().__init__(*args, prefix=f"answer-{answer.pk}", **kwargs)
        self.fields["level"].choices = [
            Choice(level.value, level.label, hint=self.criterion.description_of(level))
            for level in Level
        ]
        self.fields["level"].label = self.criterion.statement
        self.fields["level"].error_messages["invalid_choice"] = (
            f"Choose a level for {self.criterion.reference} from the list"
        )
        self.fields["evidence"].choices = [(item.pk, item.title) for item in evidence]
        self.fields["evidence"].error_messages["invalid_choice"] = (
            f"Choose evidence for {self.criterion.reference} from the list"
        )
        self.fields["comment"].error_messages["max_length"] = (
            f"The comment on {self.criterion.reference} must be {MAX_COMMENT} characters or fewer"
        )

    @property
    def anchor(self) -> str:
        return self.add_prefix("level")

    def _current(self, name: str):
        return self[name].value()

    def level_options(self) -> list[dict]:
        """The radios for the level, each with what the level looks like for this criterion."""
        current = self._current("level")
        current = "" if current in (None, "") else str(current)
        options = []
        for index, level in enumerate(Level):
            element_id = self.anchor if index == 0 else f"{self.anchor}-{index + 1}"
            options.append(
                {
                    "id": element_id,
                    "value": str(level.value),
                    "label": level.label,
                    "hint": self.criterion.description_of(level),
                    "checked": current == str(level.value),
                }
            )
        options.append(
            {
                "id": f"{self.anchor}-none",
                "value": "",
                "label": "Not answered yet",
                "hint": "",
                "checked": current == "",
            }
        )
        return options

    def evidence_options(self) -> list[dict]:
        chosen = {str(value) for value in (self._current("evidence") or [])}
        name = self.add_prefix("evidence")
        return [
            {
                "id": name if index == 0 else f"{name}-{index + 1}",
                "value": str(item.pk),
                "item": item,
                "checked": str(item.pk) in chosen,
            }
            for index, item in enumerate(self.evidence_items.values())
        ]

    def has_changed_answer(self) -> bool:
        """True when what was posted differs from what the answer said when the page opened."""
        data = self.cleaned_data
        return answer_fingerprint(data["level"], data["comment"], data["evidence"]) != data["seen"]

    def chosen_evidence(self) -> list:
        return [self.evidence_items[pk] for pk in self.cleaned_data["evidence"]]


class ReviewForm(BaseForm):
    comment = forms.CharField(
        label="Comments",
        help_text="Needed to return the assessment: say what should change.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_COMMENT,
        error_messages={"max_length": f"Comments must be {MAX_COMMENT} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []  # the page draws its two buttons: Approve, Return with comments


class CommentForm(BaseForm):
    submit_label = "Add comment"

    text = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_COMMENT,
        error_messages={
            "required": "Enter a comment",
            "max_length": f"The comment must be {MAX_COMMENT} characters or fewer",
        },
    )


class InvitePeerForm(BaseForm):
    submit_label = "Invite council"

    council = forms.TypedChoiceField(
        label="Which council should review this assessment?",
        help_text="Its champions will see the assessment, read-only, and can comment on it.",
        coerce=int,
        error_messages={
            "required": "Choose the council to invite",
            "invalid_choice": "Choose a council from the list",
        },
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [("", "Choose a council")] + [
            (council.pk, council.name) for council in councils
        ]


class CriterionForm(BaseForm):
    submit_label = "Publish revision"

    statement = forms.CharField(
        label="Statement of good practice",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Enter the statement",
            "max_length": "Keep it to 300 characters",
        },
    )
    emerging = forms.CharField(
        label="What Emerging looks like",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Describe what Emerging looks like"},
    )
    developing = forms.CharField(
        label="What Developing looks like",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Describe what Developing looks like"},
    )
    established = forms.CharField(
        label="What Established looks like",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Describe what Established looks like"},
    )
    leading = forms.CharField(
        label="What Leading looks like",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Describe what Leading looks like"},
    )
    note = forms.CharField(
        label="What changed, and why",
        help_text="Shown with the new version so councils understand the revision.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Say what changed and why"},
    )


class RemoveCriterionForm(BaseForm):
    submit_label = "Remove criterion and publish revision"

    note = forms.CharField(
        label="Why is it being removed?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Say why the criterion is being removed"},
    )
