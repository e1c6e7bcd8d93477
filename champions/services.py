"""Writes for champion appointments and the council's choice to share with peers.

Each runs inside the writes contract (``keepitlocal.writes.council_write``): permission first,
then the change and its history in one transaction (ADR 0012).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateformat import format as format_date

from champions.models import ChampionAppointment
from keepitlocal.models import Council, User
from keepitlocal.writes import council_write

ONE_DAY = datetime.timedelta(days=1)


def _overlaps(
    a_start: datetime.date,
    a_end: datetime.date | None,
    b_start: datetime.date,
    b_end: datetime.date | None,
) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def _period(appointment: ChampionAppointment) -> str:
    start = format_date(appointment.starts_on, "j F Y")
    if appointment.ends_on is None:
        return f"from {start}"
    return f"from {start} to {format_date(appointment.ends_on, 'j F Y')}"


def _overlap_error(other: ChampionAppointment) -> ValidationError:
    return ValidationError(
        f"These dates overlap {other.name}’s appointment as "
        f"{other.get_kind_display().lower()} {_period(other)}. Change the dates, or end that "
        "appointment first."
    )


def _lock_council(council: Council) -> None:
    # One change to a council's appointments at a time, so two admins cannot
    # both appoint a champion for the same dates.
    Council.objects.select_for_update().filter(pk=council.pk).first()


def champion_appoint(
    *,
    council: Council,
    by: User,
    kind: str,
    title: str,
    starts_on: datetime.date,
    person: User | None = None,
    person_name: str = "",
    ends_on: datetime.date | None = None,
    decision: str = "",
    decision_url: str = "",
    submission=None,
) -> tuple[ChampionAppointment, ChampionAppointment | None]:
    """Record who holds a champion role, from when (and to when, for past appointments).

    Appointments to one role never overlap. A new open-ended appointment that
    starts after the current holder's is a handover: the current holder's
    appointment ends the day before. Any other overlap is refused with a
    ``ValidationError`` on ``starts_on`` naming the appointment it overlaps.

    Returns the new appointment and the one it ended, if any.
    """
    with council_write(
        by=by,
        council=council,
        permission="champions.change_appointments",
        denied="Only a council admin can record champion appointments.",
        submission=submission,
    ) as write:
        return _appoint(
            write,
            council=council,
            by=by,
            kind=kind,
            title=title,
            starts_on=starts_on,
            person=person,
            person_name=person_name,
            ends_on=ends_on,
            decision=decision,
            decision_url=decision_url,
        )


def _appoint(
    write,
    *,
    council,
    by,
    kind,
    title,
    starts_on,
    person,
    person_name,
    ends_on,
    decision,
    decision_url,
):
    if person is not None and not person.memberships.filter(council=council).exists():
        raise PermissionDenied("A champion with an account must be a person of this council.")
    _lock_council(council)
    appointment = ChampionAppointment(
        council=council,
        kind=kind,
        person=person,
        person_name=" ".join(person_name.split()) if person is None else "",
        title=" ".join(title.split()),
        starts_on=starts_on,
        ends_on=ends_on,
        decision=decision.strip(),
        decision_url=decision_url.strip(),
        created_by=by,
    )
    appointment.full_clean()
    handed_over = None
    for other in ChampionAppointment.objects.filter(council=council, kind=kind).select_related(
        "person"
    ):
        if not _overlaps(starts_on, ends_on, other.starts_on, other.ends_on):
            continue
        if other.ends_on is None and ends_on is None and other.starts_on < starts_on:
            handed_over = other
            continue
        raise ValidationError({"starts_on": _overlap_error(other)})
    if handed_over is not None:
        write.track(handed_over)
        handed_over.ends_on = starts_on - ONE_DAY
        handed_over.ended_by = by
        handed_over.full_clean()
        handed_over.save(update_fields=["ends_on", "ended_by"])
        write.changed(handed_over, reason=f"handed over to {appointment.name}")
    appointment.save()
    write.added(appointment)
    return appointment, handed_over


def champion_appointment_end(
    *, appointment: ChampionAppointment, by: User, ends_on: datetime.date
) -> ChampionAppointment:
    """End an appointment on ``ends_on`` (their last day in post); the role is then vacant.

    An appointment that has already ended cannot be ended again; the end date
    may not be before it started or overlap the next appointment to the role.
    """
    council = appointment.council
    with council_write(
        by=by,
        council=council,
        permission="champions.change_appointments",
        denied="Only a council admin can end champion appointments.",
    ) as write:
        return _end(write, appointment=appointment, by=by, ends_on=ends_on)


def _end(write, *, appointment, by, ends_on):
    council = appointment.council
    _lock_council(council)
    appointment = ChampionAppointment.objects.select_related("person").get(pk=appointment.pk)
    if appointment.has_ended(timezone.localdate()):
        raise ValidationError(
            {
                "ends_on": f"This appointment already ended on "
                f"{format_date(appointment.ends_on, 'j F Y')}."
            }
        )
    if ends_on < appointment.starts_on:
        raise ValidationError(
            {
                "ends_on": "The last day in post must be on or after "
                f"{format_date(appointment.starts_on, 'j F Y')}, when the appointment started."
            }
        )
    others = ChampionAppointment.objects.filter(council=council, kind=appointment.kind).exclude(
        pk=appointment.pk
    )
    for other in others.select_related("person"):
        if _overlaps(appointment.starts_on, ends_on, other.starts_on, other.ends_on):
            raise ValidationError({"ends_on": _overlap_error(other)})
    write.track(appointment)
    appointment.ends_on = ends_on
    appointment.ended_by = by
    appointment.full_clean()
    appointment.save(update_fields=["ends_on", "ended_by"])
    write.changed(appointment)
    return appointment


def council_sharing_update(*, council: Council, by: User, shares_with_peers: bool) -> Council:
    """Choose whether peer councils see this council's progress on the network page.

    What peers see changes at once: every council's cached dashboard, whose network medians
    may include this council's scores, is made fresh (ADR 0006).
    """
    with council_write(
        by=by,
        council=council,
        permission="champions.change_sharing",
        denied="Only a council admin can choose what is shared with peer councils.",
    ) as write:
        council = Council.objects.select_for_update().get(pk=council.pk)
        write.track(council)
        council.shares_with_peers = shares_with_peers
        council.full_clean()
        council.save(update_fields=["shares_with_peers"])
        write.changed(council)
        return council
