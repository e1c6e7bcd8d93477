"""Make a certificate authority for signing endorsements (development, or a new production CA)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from endorsements.ca import CA_NAME, make_certificate_authority


class Command(BaseCommand):
    # Making the first CA must work before one is configured, when the service's own check
    # (endorsements.E001) would stop any command that runs the checks.
    requires_system_checks = []
    help = (
        "Write a new signing CA certificate (ca.pem) and key (ca-key.pem) into a directory. "
        "Point SIGNING_CA_CERT_FILE and SIGNING_CA_KEY_FILE at them. Keep the key secret."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="where to write ca.pem and ca-key.pem")
        parser.add_argument("--name", default=CA_NAME, help="the CA's name")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing if the directory already holds a CA (for make run)",
        )

    def handle(self, *args, directory, name, if_missing, **options):
        folder = Path(directory)
        cert_path, key_path = folder / "ca.pem", folder / "ca-key.pem"
        if cert_path.exists() or key_path.exists():
            if if_missing:
                return
            raise CommandError(f"{folder} already holds a CA; refusing to overwrite it.")
        folder.mkdir(parents=True, exist_ok=True)
        cert_pem, key_pem = make_certificate_authority(name=name)
        cert_path.write_bytes(cert_pem)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key_pem)
        self.stdout.write(f"Wrote {cert_path} and {key_path}.")
