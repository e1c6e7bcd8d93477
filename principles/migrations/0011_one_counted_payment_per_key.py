from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0008, so that PostgreSQL builds the index after the rows are keyed.
    dependencies = [("principles", "0010_payments_counted_once")]

    operations = [
        migrations.AddIndex(
            model_name="localspendtransaction",
            index=models.Index(
                condition=models.Q(("duplicate_of__isnull", False)),
                fields=["duplicate_of"],
                name="payment_duplicates",
            ),
        ),
        migrations.AddConstraint(
            model_name="localspendtransaction",
            constraint=models.UniqueConstraint(
                condition=models.Q(("duplicate_of__isnull", True)),
                fields=("council", "payment_key"),
                name="payment_counted_once",
            ),
        ),
    ]
