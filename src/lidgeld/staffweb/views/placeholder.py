"""Temporary: the routes exist before their pages (replaced as each page lands)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lidgeld.staffweb.access import staff_page


@staff_page()
def page(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "staffweb/placeholder.html", {"title": title})
