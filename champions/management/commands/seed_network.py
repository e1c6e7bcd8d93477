import time

from django.core.management.base import BaseCommand, CommandError

from champions.synthetic_network import PREFIX, synthetic_network_seed


class Command(BaseCommand):
    help = (
        "Create a realistic synthetic network of member councils with years of records, for "
        f"benchmarks and for trying the dashboards. Replaces any earlier one (slugs {PREFIX}…)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--councils", type=int, default=400, help="How many councils")
        parser.add_argument("--years", type=int, default=5, help="How many years of records")
        parser.add_argument(
            "--seed", type=int, default=2022, help="Random seed: the same seed, the same network"
        )

    def handle(self, *args, councils: int, years: int, seed: int, **options):
        started = time.perf_counter()
        try:
            network = synthetic_network_seed(councils=councils, years=years, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for name, number in network.counts.items():
            self.stdout.write(f"  {number:>7,} {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic network of {councils} councils over {years} years created in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )
