"""The staff pages. Desk work and back-office work keep their routes in their own
modules so the two grow independently."""

from django.urls import path

from lidgeld.staffweb.urls_desk import urlpatterns as desk_urls
from lidgeld.staffweb.urls_office import urlpatterns as office_urls
from lidgeld.staffweb.views import auth

app_name = "staffweb"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    *desk_urls,
    *office_urls,
]
