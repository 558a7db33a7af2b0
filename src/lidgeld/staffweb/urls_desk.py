from django.urls import path

from lidgeld.staffweb.views import placeholder

urlpatterns = [
    path("", placeholder.page, {"title": "Dashboard"}, name="dashboard"),
    path("borrowers/", placeholder.page, {"title": "Borrowers"}, name="borrower-search"),
    path("expiring/", placeholder.page, {"title": "Expiring memberships"}, name="expiring"),
]
