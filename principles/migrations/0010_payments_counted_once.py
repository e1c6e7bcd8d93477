"""Payments are recognised across files (issue 13): every payment gets its payment key, and a
payment that an earlier file brought already is marked a duplicate of it and no longer counted.

Payments imported before this change have no transaction or invoice number kept, so they are
keyed by date, supplier and amount. The computed periods of a council found to hold such
duplicates are recomputed without them.
"""

import hashlib
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Q, Sum

BATCH = 2_000


def _key(identity: str, occurrence: int) -> str:
    # As principles.spend.transparency.PaymentKeys, kept here as it was when written.
    return hashlib.blake2b(f"{identity}#{occurrence}".encode(), digest_size=16).hexdigest()


def key_the_payments_held(apps, schema_editor):
    Import = apps.get_model("principles", "LocalSpendImport")
    Payment = apps.get_model("principles", "LocalSpendTransaction")
    Period = apps.get_model("principles", "LocalSpendPeriod")
    councils_with_duplicates = set()
    held: dict[tuple[int, str], int] = {}
    imports = Import.objects.filter(status="imported").order_by("imported_at", "pk")
    for spend_import in imports.iterator():
        seen: dict[str, int] = {}
        changed = []
        rows = (
            Payment.objects.filter(spend_import=spend_import)
            .select_related("supplier")
            .only("pk", "paid_on", "amount", "supplier__key", "council_id")
            .order_by("line_number", "pk")
        )
        for payment in rows.iterator(chunk_size=BATCH):
            amount = payment.amount + 0
            identity = f"p:{payment.paid_on.isoformat()}|{payment.supplier.key}|{amount:.2f}|"
            seen[identity] = seen.get(identity, 0) + 1
            payment.payment_key = _key(identity, seen[identity])
            earlier = held.setdefault((payment.council_id, payment.payment_key), spend_import.pk)
            if earlier != spend_import.pk:
                payment.duplicate_of_id = earlier
                councils_with_duplicates.add(payment.council_id)
            changed.append(payment)
            if len(changed) == BATCH:
                Payment.objects.bulk_update(changed, ["payment_key", "duplicate_of"])
                changed = []
        Payment.objects.bulk_update(changed, ["payment_key", "duplicate_of"])
    for period in Period.objects.filter(council_id__in=councils_with_duplicates, source="imported"):
        _recompute(Payment, period)


def _recompute(Payment, period) -> None:
    zero = Decimal("0.00")
    totals = Payment.objects.filter(
        council_id=period.council_id,
        paid_on__gte=period.starts_on,
        paid_on__lte=period.ends_on,
        duplicate_of__isnull=True,
    ).aggregate(
        total=Sum("amount"),
        local=Sum("amount", filter=Q(supplier__is_local=True)),
        unknown=Sum("amount", filter=Q(supplier__is_local__isnull=True)),
        local_suppliers=Count("supplier", distinct=True, filter=Q(supplier__is_local=True)),
        sme=Sum("amount", filter=Q(supplier__is_sme=True)),
        sme_known=Count("pk", filter=Q(supplier__is_sme__isnull=False)),
        vcse=Sum("amount", filter=Q(supplier__is_vcse=True)),
        vcse_known=Count("pk", filter=Q(supplier__is_vcse__isnull=False)),
        payments=Count("pk"),
    )
    period.total_spend = totals["total"] or zero
    period.local_spend = (totals["local"] or zero) + (period.tier2_local_spend or zero)
    period.local_supplier_count = totals["local_suppliers"]
    period.unclassified_spend = totals["unknown"] or zero
    period.sme_spend = (totals["sme"] or zero) if totals["sme_known"] else None
    period.vcse_spend = (totals["vcse"] or zero) if totals["vcse_known"] else None
    period.payment_count = totals["payments"]
    period.save()


class Migration(migrations.Migration):
    dependencies = [
        ("keepitlocal", "0004_audit_log"),
        ("principles", "0009_drop_the_historical_tables"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="localspendimport",
            name="undo_reason",
            field=models.TextField(blank=True, verbose_name="why it was undone"),
        ),
        migrations.AddField(
            model_name="localspendimport",
            name="undone_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="localspendimport",
            name="undone_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="localspendperiod",
            name="added_by_import",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="principles.localspendimport",
            ),
        ),
        migrations.AddField(
            model_name="localspendtransaction",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="principles.localspendimport",
            ),
        ),
        migrations.AddField(
            model_name="localspendtransaction",
            name="invoice_ref",
            field=models.CharField(blank=True, max_length=100, verbose_name="invoice number"),
        ),
        migrations.AddField(
            model_name="localspendtransaction",
            name="payment_key",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="localspendtransaction",
            name="transaction_ref",
            field=models.CharField(blank=True, max_length=100, verbose_name="transaction number"),
        ),
        migrations.AlterField(
            model_name="localspendimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Not imported yet"),
                    ("imported", "Imported"),
                    ("undone", "Undone"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RunPython(key_the_payments_held, migrations.RunPython.noop),
    ]
