from django.apps import AppConfig


class ChampionsConfig(AppConfig):
    name = "champions"

    def ready(self) -> None:
        from champions import signals

        signals.connect()
