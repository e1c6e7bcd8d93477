from django.shortcuts import render
from django.views.decorators.http import require_GET

from principles.selectors import principle_by_number, principle_list


@require_GET
def principle_index(request, council_slug: str):
    return render(
        request,
        "principles/principle_list.html",
        {"council": request.council, "principles": principle_list()},
    )


@require_GET
def principle_detail(request, council_slug: str, number: int):
    return render(
        request,
        "principles/principle_detail.html",
        {"council": request.council, "principle": principle_by_number(number)},
    )
