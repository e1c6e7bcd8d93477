"""A practice assessment as CSV (for spreadsheets) and as a PDF report (WeasyPrint)."""

import csv
import io

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone

from champions.charts import grouped_bar_chart
from principles.assessments.models import Answer, Assessment, Level
from principles.assessments.selectors import Results
from principles.exports import spreadsheet_safe

CSV_HEADERS = [
    "Principle",
    "Criterion",
    "Statement",
    "Level",
    "Score",
    "Comment",
    "Evidence",
    "Last changed by",
    "Last changed",
]


def answers_csv(assessment: Assessment, answers: list[Answer]) -> str:
    """UTF-8 with a byte order mark for Excel; cells that look like formulas are escaped."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for answer in answers:
        criterion = answer.criterion
        writer.writerow(
            [
                spreadsheet_safe(value)
                for value in (
                    criterion.principle.number,
                    criterion.reference,
                    criterion.statement,
                    answer.get_level_display() if answer.level else "Not answered",
                    answer.level or "",
                    answer.comment,
                    "; ".join(item.url or item.title for item in answer.evidence.all()),
                    str(answer.updated_by) if answer.updated_by else "",
                    timezone.localtime(answer.updated_at).strftime("%Y-%m-%d %H:%M"),
                )
            ]
        )
    return out.getvalue()


def results_chart(results: Results):
    """Scores by principle: this assessment, the previous one and the network median."""
    series = ["This assessment"]
    if results.previous is not None:
        series.append(f"Previous ({results.previous.period})")
    if results.network_councils:
        series.append("Network median")
    values = []
    for row in results.principles:
        figures = [row.score]
        if results.previous is not None:
            figures.append(row.previous)
        if results.network_councils:
            figures.append(row.network_median)
        values.append([float(figure) if figure is not None else None for figure in figures])
    return grouped_bar_chart(
        chart_id="results",
        title=f"Scores by principle, {results.assessment.period}",
        description=(
            "For each of the six principles, the average level from 1 (Emerging) to 4 (Leading)"
            + (", against the previous assessment" if results.previous else "")
            + (", and the median of councils that share" if results.network_councils else "")
            + "."
        ),
        category_heading="Principle",
        categories=[f"Principle {row.principle.number}" for row in results.principles],
        series=series,
        values=values,
        value_text=lambda value: f"{value:.1f}",
        scale_to=float(Level.LEADING),
        missing_text="not scored",
    )


def report_pdf(
    *, assessment: Assessment, answers: list[Answer], results: Results, comments
) -> bytes:
    html = render_to_string(
        "assessments/pdf/report.html",
        {
            "assessment": assessment,
            "council": assessment.council,
            "answers": answers,
            "results": results,
            "chart": results_chart(results),
            "comments": comments,
            "levels": list(Level),
            "generated_at": timezone.now(),
        },
    )
    return weasyprint.HTML(string=html).write_pdf()
