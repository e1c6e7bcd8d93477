"""East Sussex County Council's published local spend, for the demo (seed_demo)."""

from decimal import Decimal

from keepitlocal.models import Council, User
from principles.spend.models import LocalSpendPeriod
from principles.spend.services import local_spend_period_record, local_spend_settings_update

# 2021-22: 67.9% of procurement spend (£283m with 958 local suppliers, including Tier 2
# supply-chain spend) was local, against a Council Plan target of 60%. The total is
# £283m / 0.679, about £416.8m.
EAST_SUSSEX_2021_22 = {
    "total_spend": Decimal("416800000.00"),
    "local_spend": Decimal("283000000.00"),
    "local_supplier_count": 958,
    "target_percentage": Decimal("60.00"),
}


def seed_local_spend(council: Council, by: User) -> None:
    """The council's target and local postcode areas, and its 2021-22 figures, recorded once."""
    local_spend_settings_update(
        council=council, by=by, target_percentage=Decimal("60.00"), local_areas=["BN", "TN"]
    )
    if LocalSpendPeriod.objects.filter(
        council=council, kind=LocalSpendPeriod.Kind.YEAR, financial_year=2021
    ).exists():
        return
    local_spend_period_record(
        council=council,
        by=by,
        kind=LocalSpendPeriod.Kind.YEAR,
        financial_year=2021,
        quarter=None,
        source=LocalSpendPeriod.Source.ENTERED,
        **EAST_SUSSEX_2021_22,
    )
