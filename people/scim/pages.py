"""HR's SCIM clients page: create a client (its token shown once, on the page that
answers the creation, never again), see when each token was last used, revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.access import hr_required
from core.types import AuthedHttpRequest
from people.models import ScimClient
from people.scim import clients


def _page(
    request: AuthedHttpRequest,
    *,
    token: str = "",
    created: str = "",
    error: str = "",
    name: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        # One query: the clients, with whoever created them.
        "clients": list(ScimClient.objects.select_related("created_by")),
        "token": token,
        "created": created,
        "error": error,
        "name": name,
        "name_max": clients.NAME_MAX,
        "endpoint": request.build_absolute_uri("/scim/v2/"),
    }
    return render(request, "people/scim_clients.html", context, status=status)


@hr_required
@require_http_methods(["GET", "POST"])
def scim_clients(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    name = request.POST.get("name", "")
    try:
        client, token = clients.client_create(by=request.user, name=name)
    except ValidationError as exc:
        problem = " ".join(exc.message_dict.get("name", exc.messages))
        return _page(request, error=problem, name=name[:200], status=400)
    # The token is shown on this answer only: it is not stored, so no redirect.
    return _page(request, token=token, created=client.name)


@hr_required
@require_POST
def scim_client_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = ScimClient.objects.filter(pk=pk).first()
    if client is None:
        messages.error(request, "No such SCIM client.")
    else:
        clients.client_revoke(by=request.user, name=client.name)
        messages.success(request, f'Revoked SCIM client "{client.name}": its token is refused now.')
    return redirect("people:scim_clients")
