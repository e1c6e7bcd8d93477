from django.contrib import admin
from django.db import models

from champions.models import ChampionAppointment
from keepitlocal.admin import ReadOnlyAdmin


@admin.register(ChampionAppointment)
class ChampionAppointmentAdmin(ReadOnlyAdmin):
    """Appointments change on the Champions page, which keeps roles from overlapping."""

    list_display = ("council", "kind", "name", "title", "starts_on", "ends_on")
    list_filter = ("kind",)
    list_select_related = ("council", "person")
    search_fields = ("council__name", "person_name", "person__first_name", "person__last_name")
    autocomplete_fields = ["council"]
    raw_id_fields = ["person", "created_by", "ended_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
