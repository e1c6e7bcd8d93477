from django.apps import AppConfig


class EndorsementsConfig(AppConfig):
    name = "endorsements"

    def ready(self) -> None:
        from endorsements import checks  # noqa: F401 - registers the signing CA check
