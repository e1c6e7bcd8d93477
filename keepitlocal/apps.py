from django.apps import AppConfig


class KeepItLocalConfig(AppConfig):
    name = "keepitlocal"
    verbose_name = "Keep it Local network"

    def ready(self) -> None:
        from keepitlocal import audit

        audit.connect()
