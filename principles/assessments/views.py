"""Pages for practice assessments (Assessments) and, for network admins, the framework."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from keepitlocal.forms import RemovalForm, set_form_data
from keepitlocal.pages import say_already_sent
from keepitlocal.selectors import record_history
from keepitlocal.writes import AlreadySubmitted
from principles.assessments.exports import answers_csv, report_pdf, results_chart
from principles.assessments.forms import (
    AnswerForm,
    AssessmentPeriodForm,
    CommentForm,
    CriterionForm,
    InvitePeerForm,
    RemoveCriterionForm,
    ReviewForm,
    StartAssessmentForm,
    suggested_period,
)
from principles.assessments.models import Assessment
from principles.assessments.selectors import (
    assessment_answer,
    assessment_answers,
    assessment_peer_reviews,
    assessment_results,
    council_assessment,
    council_assessment_peer_review,
    council_assessments,
    council_evidence_by_principle,
    current_criterion,
    framework_criteria,
    framework_version,
    framework_versions,
    peer_council_choices,
    peer_review_for,
    peer_reviews_for,
    review_comments,
)
from principles.assessments.services import (
    CHANGE,
    INVITE,
    REVIEW,
    AnswerChange,
    NotAllowedNow,
    Unanswered,
    answer_fingerprint,
    answers_save,
    assessment_approve,
    assessment_delete,
    assessment_period_correct,
    assessment_return,
    assessment_start,
    assessment_submit,
    criterion_add,
    criterion_remove,
    criterion_revise,
    current_framework,
    gap_to_action,
    peer_invite,
    peer_withdraw,
    review_comment_add,
)
from principles.models import Principle


def _require(request, permission: str, message: str) -> None:
    if not request.user.has_perm(permission, request.council):
        raise PermissionDenied(message)


def _detail(assessment: Assessment):
    return redirect("assessments:detail", council_slug=assessment.council.slug, pk=assessment.pk)


def _answered(answers) -> int:
    return sum(1 for answer in answers if answer.level is not None)


@require_GET
def assessment_index(request, council_slug: str):
    council = request.council
    reviews = []
    if request.user.has_perm(REVIEW, council):
        reviews = list(peer_reviews_for(council))
    return render(
        request,
        "assessments/index.html",
        {
            "council": council,
            "assessments": list(council_assessments(council)),
            "peer_reviews": reviews,
            "can_start": request.user.has_perm(CHANGE, council),
        },
    )


def assessment_start_view(request, council_slug: str):
    _require(request, CHANGE, "Your role in this council does not allow you to start one.")
    council = request.council
    form = StartAssessmentForm(
        request.POST if request.method == "POST" else None,
        initial={"period": suggested_period(timezone.localdate())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_start(
                council=council,
                period=form.cleaned_data["period"],
                by=request.user,
                submission=form.cleaned_data["submission"],
            )
        except AlreadySubmitted as sent:
            say_already_sent(request)
            if sent.record_id:
                return redirect("assessments:answers", council_slug=council.slug, pk=sent.record_id)
            return redirect("assessments:index", council_slug=council.slug)
        except NotAllowedNow as refusal:
            form.add_error("period", str(refusal))
        else:
            messages.success(request, f"Assessment for {assessment.period} started.")
            return redirect("assessments:answers", council_slug=council.slug, pk=assessment.pk)
    return render(
        request,
        "assessments/start.html",
        {"council": council, "form": form, "framework": current_framework()},
    )


def assessment_period_edit(request, council_slug: str, pk: int):
    council = request.council
    assessment = council_assessment(council, pk)
    _require(request, CHANGE, "Your role in this council does not allow you to change it.")
    if not assessment.is_editable:
        messages.info(request, _locked_message(assessment))
        return _detail(assessment)
    form = AssessmentPeriodForm(
        request.POST if request.method == "POST" else None,
        initial={"period": assessment.period},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment_period_correct(
                assessment=assessment, by=request.user, period=form.cleaned_data["period"]
            )
        except NotAllowedNow as refusal:
            form.add_error("period", str(refusal))
        else:
            messages.success(request, f"The period is now {form.cleaned_data['period']}.")
            return _detail(assessment)
    return render(
        request,
        "assessments/period_form.html",
        {"council": council, "assessment": assessment, "form": form},
    )


def assessment_delete_view(request, council_slug: str, pk: int):
    council = request.council
    assessment = council_assessment(council, pk)
    _require(request, CHANGE, "Your role in this council does not allow you to delete it.")
    form = RemovalForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].label = "Why is it being deleted?"
    form.helper.inputs[0].value = "Delete draft"
    if request.method == "POST" and form.is_valid():
        try:
            assessment_delete(
                assessment=assessment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except NotAllowedNow as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"The draft {assessment.period} assessment is deleted. The history keeps it.",
            )
            return redirect("assessments:index", council_slug=council.slug)
    return render(
        request,
        "assessments/delete_confirm.html",
        {"council": council, "assessment": assessment, "form": form},
    )


def _detail_context(request, assessment: Assessment, answers) -> dict:
    council = request.council
    user = request.user
    return {
        "council": council,
        "assessment": assessment,
        "answers": answers,
        "answered": _answered(answers),
        "comments": list(review_comments(assessment)),
        "peer_reviews": list(assessment_peer_reviews(assessment)),
        "history": record_history(council, topics=[f"assessment:{assessment.pk}"]),
        "can_correct": user.has_perm(CHANGE, council) and assessment.is_editable,
        "can_delete": user.has_perm(CHANGE, council)
        and assessment.status == Assessment.Status.DRAFT,
        "can_change": user.has_perm(CHANGE, council) and assessment.is_editable,
        "can_review": user.has_perm(REVIEW, council)
        and assessment.status == Assessment.Status.SUBMITTED,
        "can_invite": user.has_perm(INVITE, council) and not assessment.is_approved,
    }


@require_GET
def assessment_detail(request, council_slug: str, pk: int):
    assessment = council_assessment(request.council, pk)
    answers = assessment_answers(assessment)
    return render(request, "assessments/detail.html", _detail_context(request, assessment, answers))


def _answer_forms(request, assessment, answers, data=None) -> list[AnswerForm]:
    evidence = council_evidence_by_principle(request.council)
    return [
        AnswerForm(data, answer=answer, evidence=evidence.get(answer.criterion.principle_id, []))
        for answer in answers
    ]


def _rebase(data, form: AnswerForm, answer) -> None:
    """Show the answer again on the version saved now: what the others saved, with this
    person's own changes kept (``answer.conflict`` says which), based on the saved version."""
    linked = [item.pk for item in answer.evidence.all()]
    data[form.add_prefix("version")] = str(answer.version)
    data[form.add_prefix("seen")] = answer_fingerprint(answer.level, answer.comment, linked)
    for name, value in answer.conflict.rebased.items():
        set_form_data(form, data, name, value)


def answers_edit(request, council_slug: str, pk: int):
    council = request.council
    assessment = council_assessment(council, pk)
    _require(request, CHANGE, "Your role in this council does not allow you to answer.")
    if not assessment.is_editable:
        messages.info(request, _locked_message(assessment))
        return _detail(assessment)
    answers = assessment_answers(assessment)
    if request.method != "POST":
        forms = _answer_forms(request, assessment, answers)
        return _answers_page(request, assessment, answers, forms)

    forms = _answer_forms(request, assessment, answers, request.POST)
    if not all([form.is_valid() for form in forms]):
        return _answers_page(request, assessment, answers, forms)
    changes = [
        AnswerChange(
            answer_id=form.answer.pk,
            base_version=form.cleaned_data["version"],
            level=form.cleaned_data["level"],
            comment=form.cleaned_data["comment"],
            evidence=form.chosen_evidence(),
        )
        for form in forms
        if form.has_changed_answer()
    ]
    try:
        result = answers_save(assessment=assessment, changes=changes, by=request.user)
    except NotAllowedNow as refusal:
        messages.error(request, str(refusal))
        return _detail(assessment)
    if result.conflicts:
        data = request.POST.copy()
        by_id = {form.answer.pk: form for form in forms}
        fresh = {answer.pk: answer for answer in assessment_answers(assessment)}
        for answer in result.conflicts:
            fresh[answer.pk].conflict = answer.conflict
            _rebase(data, by_id[answer.pk], fresh[answer.pk])
        for answer in result.saved:
            # Saved just now: the page starts from them as saved, so saving again is no edit.
            form, saved_now = by_id[answer.pk], fresh[answer.pk]
            linked = [item.pk for item in saved_now.evidence.all()]
            data[form.add_prefix("version")] = str(saved_now.version)
            data[form.add_prefix("seen")] = answer_fingerprint(
                saved_now.level, saved_now.comment, linked
            )
        forms = _answer_forms(request, assessment, list(fresh.values()), data)
        for form in forms:
            form.is_valid()
        return _answers_page(
            request,
            assessment,
            list(fresh.values()),
            forms,
            conflicts=[fresh[answer.pk] for answer in result.conflicts],
            saved=len(result.saved),
        )
    saved = len(result.saved)
    for merged in result.merged:
        messages.info(request, merged.message)
    if request.POST.get("action") == "submit":
        try:
            assessment_submit(assessment=assessment, by=request.user)
        except Unanswered as unanswered:
            answers = assessment_answers(assessment)
            return _answers_page(
                request,
                assessment,
                answers,
                _answer_forms(request, assessment, answers),
                unanswered=unanswered.answers,
                saved=saved,
            )
        except NotAllowedNow as refusal:
            messages.error(request, str(refusal))
            return _detail(assessment)
        messages.success(
            request, "Assessment submitted for review. The champions can now review it."
        )
        return _detail(assessment)
    noun = "answer" if saved == 1 else "answers"
    messages.success(
        request, f"Saved {saved} {noun}." if saved else "Nothing had changed, so nothing was saved."
    )
    return redirect("assessments:answers", council_slug=council.slug, pk=assessment.pk)


def _answers_page(request, assessment, answers, forms, **extra):
    sections = []
    for form in forms:
        principle = form.criterion.principle
        if not sections or sections[-1][0] != principle:
            sections.append((principle, []))
        sections[-1][1].append(form)
    invalid = [form for form in forms if form.is_bound and form.errors]
    return render(
        request,
        "assessments/answers.html",
        {
            "council": request.council,
            "assessment": assessment,
            "sections": sections,
            "answered": _answered(answers),
            "total": len(answers),
            "invalid": invalid,
            **extra,
        },
        status=200,
    )


def _locked_message(assessment: Assessment) -> str:
    if assessment.is_approved:
        return "This assessment has been approved, so it is locked and its answers cannot change."
    return "This assessment is with the champions for review, so its answers cannot change now."


def assessment_submit_view(request, council_slug: str, pk: int):
    assessment = council_assessment(request.council, pk)  # another council's is a 404 first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request, CHANGE, "Your role in this council does not allow you to submit it.")
    try:
        assessment_submit(assessment=assessment, by=request.user)
    except Unanswered as unanswered:
        answers = assessment_answers(assessment)
        context = _detail_context(request, assessment, answers)
        return render(
            request, "assessments/detail.html", {**context, "unanswered": unanswered.answers}
        )
    except NotAllowedNow as refusal:
        messages.error(request, str(refusal))
        return _detail(assessment)
    messages.success(request, "Assessment submitted for review. The champions can now review it.")
    return _detail(assessment)


def assessment_review(request, council_slug: str, pk: int):
    council = request.council
    assessment = council_assessment(council, pk)
    _require(request, REVIEW, "Only the council's champions review assessments.")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        comment = form.cleaned_data["comment"]
        try:
            if decision == "approve":
                assessment_approve(assessment=assessment, by=request.user, text=comment)
                messages.success(request, f"The {assessment.period} assessment is approved.")
                return _detail(assessment)
            if decision == "return":
                if not comment.strip():
                    form.add_error("comment", "Say what needs to change before returning it")
                else:
                    assessment_return(assessment=assessment, by=request.user, text=comment)
                    messages.success(request, "Assessment returned to officers with your comments.")
                    return _detail(assessment)
            else:
                form.add_error(None, "Choose Approve or Return with comments")
        except NotAllowedNow as refusal:
            form.add_error(None, str(refusal))
    answers = assessment_answers(assessment)
    return render(
        request,
        "assessments/review.html",
        {
            **_detail_context(request, assessment, answers),
            "form": form,
            "own_submission": assessment.submitted_by_id == request.user.pk,
        },
    )


@require_GET
def assessment_results_view(request, council_slug: str, pk: int):
    assessment = council_assessment(request.council, pk)
    results = assessment_results(assessment)
    return render(
        request,
        "assessments/results.html",
        {
            "council": request.council,
            "assessment": assessment,
            "results": results,
            "chart": results_chart(results),
            "can_act": request.user.has_perm("principles.change_progress", request.council),
        },
    )


def gap_action(request, council_slug: str, pk: int, answer_pk: int):
    assessment = council_assessment(request.council, pk)
    answer = assessment_answer(assessment, answer_pk)  # another council's is a 404 first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request, "principles.change_progress", "Your role does not allow adding actions.")
    try:
        action, created = gap_to_action(answer=answer, by=request.user)
    except NotAllowedNow as refusal:
        messages.error(request, str(refusal))
    else:
        if created:
            messages.success(
                request,
                f"Action added to principle {action.principle.number}: “{action.title}”.",
            )
        else:
            messages.info(request, f"That gap already has an action: “{action.title}”.")
    return redirect("assessments:results", council_slug=request.council.slug, pk=assessment.pk)


@require_GET
def assessment_csv(request, council_slug: str, pk: int):
    assessment = council_assessment(request.council, pk)
    response = HttpResponse(
        answers_csv(assessment, assessment_answers(assessment)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"{request.council.slug}-assessment-{assessment.period}.csv".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def assessment_pdf(request, council_slug: str, pk: int):
    assessment = council_assessment(request.council, pk)
    answers = assessment_answers(assessment)
    pdf = report_pdf(
        assessment=assessment,
        answers=answers,
        results=assessment_results(assessment, answers),
        comments=list(review_comments(assessment)),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{request.council.slug}-assessment-{assessment.period}.pdf".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def peer_invite_view(request, council_slug: str, pk: int):
    council = request.council
    assessment = council_assessment(council, pk)
    _require(request, INVITE, "Your role in this council does not allow you to invite reviewers.")
    councils = list(peer_council_choices(council))
    form = InvitePeerForm(request.POST if request.method == "POST" else None, councils=councils)
    if request.method == "POST" and form.is_valid():
        reviewer = next(c for c in councils if c.pk == form.cleaned_data["council"])
        try:
            peer_invite(assessment=assessment, reviewer_council=reviewer, by=request.user)
        except NotAllowedNow as refusal:
            form.add_error("council", str(refusal))
        else:
            messages.success(
                request,
                f"{reviewer.name} is invited: its champions can now review this assessment.",
            )
            return _detail(assessment)
    return render(
        request,
        "assessments/invite.html",
        {
            "council": council,
            "assessment": assessment,
            "form": form,
            "peer_reviews": list(assessment_peer_reviews(assessment)),
        },
    )


def peer_withdraw_view(request, council_slug: str, pk: int, review_pk: int):
    council = request.council
    assessment = council_assessment(council, pk)
    review = council_assessment_peer_review(council, assessment, review_pk)  # 404 first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request, INVITE, "Your role in this council does not allow you to change reviewers.")
    peer_withdraw(review=review, by=request.user)
    messages.success(request, f"{review.reviewer_council.name} can no longer see this assessment.")
    return _detail(assessment)


def peer_review(request, council_slug: str, review_pk: int):
    """A peer council's assessment, read-only, for this council's champions to comment on."""
    council = request.council
    review = peer_review_for(council, review_pk)
    _require(request, REVIEW, "Only your council's champions review other councils' assessments.")
    assessment = review.assessment
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review_comment_add(
                assessment=assessment,
                by=request.user,
                text=form.cleaned_data["text"],
                council=council,
            )
        except NotAllowedNow as refusal:
            form.add_error("text", str(refusal))
        else:
            messages.success(request, f"Comment sent to {assessment.council.name}.")
            return redirect(
                "assessments:peer-review", council_slug=council.slug, review_pk=review.pk
            )
    answers = assessment_answers(assessment)
    return render(
        request,
        "assessments/peer_review.html",
        {
            "council": council,
            "review": review,
            "assessment": assessment,
            "answers": answers,
            "answered": _answered(answers),
            "comments": list(review_comments(assessment)),
            "form": form,
        },
    )


# The framework, for network admins ---------------------------------------------------


def _require_network_admin(request) -> None:
    if not (request.user.is_active and request.user.is_network_admin):
        raise PermissionDenied("Only Locality's network admins maintain the assessment framework.")


@require_GET
def framework_index(request):
    _require_network_admin(request)
    current = current_framework()
    return render(
        request,
        "assessments/framework.html",
        {
            "framework": current,
            "principles": framework_criteria(current) if current else [],
            "versions": list(framework_versions()),
            "is_current": True,
        },
    )


@require_GET
def framework_version_view(request, number: int):
    _require_network_admin(request)
    framework = framework_version(number)
    current = current_framework()
    return render(
        request,
        "assessments/framework.html",
        {
            "framework": framework,
            "principles": framework_criteria(framework),
            "versions": list(framework_versions()),
            "is_current": framework.pk == current.pk,
        },
    )


def _criterion_page(request, form, **context):
    return render(request, "assessments/criterion_form.html", {"form": form, **context})


def criterion_edit(request, pk: int):
    _require_network_admin(request)
    criterion = current_criterion(pk)
    initial = {
        name: getattr(criterion, name) for name in CriterionForm.base_fields if name != "note"
    }
    form = CriterionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note")
        try:
            version = criterion_revise(criterion=criterion, by=request.user, note=note, **data)
        except NotAllowedNow as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"Framework version {version.number} published. Assessments already started "
                "keep the version they were started with.",
            )
            return redirect("framework:index")
    return _criterion_page(request, form, criterion=criterion, principle=criterion.principle)


def criterion_add_view(request, number: int):
    _require_network_admin(request)
    principle = get_object_or_404(Principle, number=number)
    framework = current_framework()
    form = CriterionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note")
        try:
            version = criterion_add(
                framework=framework, principle=principle, by=request.user, note=note, **data
            )
        except NotAllowedNow as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Framework version {version.number} published.")
            return redirect("framework:index")
    return _criterion_page(request, form, criterion=None, principle=principle)


def criterion_remove_view(request, pk: int):
    _require_network_admin(request)
    criterion = current_criterion(pk)
    form = RemoveCriterionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = criterion_remove(
                criterion=criterion, by=request.user, note=form.cleaned_data["note"]
            )
        except NotAllowedNow as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Framework version {version.number} published.")
            return redirect("framework:index")
    return render(
        request, "assessments/criterion_remove.html", {"form": form, "criterion": criterion}
    )
