from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views import defaults
from django.views.generic import RedirectView

from assessments.views.home import home
from careermap import views
from core.drf import json_or_html

urlpatterns = [
    path("", home, name="home"),
    path("", include("careermap.health")),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordLinkView.as_view(), name="password_link"),
    path("password/sent/", views.PasswordLinkSentView.as_view(), name="password_link_sent"),
    path("password/set/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("password/done/", views.PasswordSetDoneView.as_view(), name="password_set_done"),
    # Browsers ask for /favicon.ico whatever the page says; a 404 is a console error.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/", include("careermap.api_urls")),
    # SCIM 2.0 provisioning of people (issue 22): not DRF, its own protocol.
    path("scim/v2/", include("people.scim.urls")),
    # Each app's pages, under their own namespace; the URLs themselves are unprefixed.
    path("", include("assessments.urls")),
    path("", include("skills.urls")),
    path("", include("people.urls")),
]

# Under /api/, errors that no API view handled are JSON too, never an HTML page.
handler404 = json_or_html(defaults.page_not_found, 404, "Not found.")
handler500 = json_or_html(defaults.server_error, 500, "Server error.")
handler400 = json_or_html(defaults.bad_request, 400, "Bad request.")
handler403 = json_or_html(defaults.permission_denied, 403, "Forbidden.")
