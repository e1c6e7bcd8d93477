from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Principle(models.Model):
    """One of the six Keep it Local principles. Network admins maintain the text."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="What the principle means, in plain English.")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=6), name="principle_number_1_to_6"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"
