"""The data protection officer's admin views: find a person, see, export and
erase their data, read the receipts and the access log. Every view needs
`intake.view_person` (group "Dataskyddsombud"); every use is logged without
the search term. The e-mail address or phone number travels in POST bodies
only, never in a URL (which would land in server logs and browser history).
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from intake.access_log import Action, entries, record_access
from intake.movers import erasure_requests

from . import ledger, people, registry
from .forms import EraseForm, PersonForm
from .models import ErasureReceipt

PERMISSION = "intake.view_person"
LEDGER_WARNING = _lazy(
    "The erasure is done, but it could not yet be written to the erasure ledger outside the database. "
    "It is retried every hour; until then, restoring a backup could bring the person back. "
    "Tell the site's operators."
)


def dpo_only(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@dpo_only
def person(request):
    form = PersonForm(request.POST or None)
    person_found = None
    if request.method == "POST" and form.is_valid():
        person_found = people.find(form.cleaned_data["q"])
        record_access(request.user, Action.SEARCH, "person view", person_found.rows())
    return TemplateResponse(
        request,
        "privacy/person.html",
        {
            "form": form,
            "person": person_found,
            "sections": people.described_rows(person_found) if person_found else [],
            "query": form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else "",
            "erase_form": EraseForm(initial={"q": form.cleaned_data.get("q", "")}) if person_found else None,
            # Asked for on the movers' own pages, not yet carried out (an erasure deletes the request).
            "erasure_requests": erasure_requests(),
        },
    )


@require_POST
@dpo_only
def export(request):
    form = PersonForm(request.POST)
    if not form.is_valid():
        return redirect("privacy_person")
    found = people.find(form.cleaned_data["q"])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.POST.get("format") == "xlsx":
        response = HttpResponse(
            people.as_xlsx(found), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="personuppgifter-{stamp}.xlsx"'
    else:
        response = HttpResponse(people.as_json(found), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="personuppgifter-{stamp}.json"'
    record_access(request.user, Action.EXPORT, "person view", found.rows())
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@dpo_only
def erase(request):
    form = EraseForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(
            request, "privacy/person.html", {"form": PersonForm(), "erase_form": form, "person": None}, status=400
        )
    found = people.find(form.cleaned_data["q"])
    rows = found.rows()
    receipt = people.erase(found, request.user, query=form.cleaned_data["q"])
    record_access(request.user, Action.ERASE, "person view", rows)
    return redirect("privacy_receipt", receipt.pk)


@dpo_only
def receipt(request, pk):
    receipt = get_object_or_404(ErasureReceipt, pk=pk)
    requests = [
        request
        for _label, module in registry.holders()
        if hasattr(module, "erasure_requests")
        for request in module.erasure_requests(receipt.crm_deliveries)
    ]
    return TemplateResponse(
        request,
        "privacy/receipt.html",
        {
            "receipt": receipt,
            "items": receipt_items(receipt),
            "requests": requests,
            "ledger_warning": LEDGER_WARNING if receipt.ledger_pending else None,
        },
    )


def receipt_items(receipt):
    """The receipt's items as sentences, each in the words of the app that erased it."""
    labels = {
        **registry.receipt_labels(),
        "ledger entry": _("Erased again after a restore, from erasure ledger entry %(id)s"),
    }
    return [str(labels.get(item["what"], item["what"])) % item for item in receipt.items]


@dpo_only
def access_log(request):
    page = Paginator(entries(), 50).get_page(request.GET.get("p"))
    receipts = ErasureReceipt.objects.all()[:20]
    return TemplateResponse(
        request,
        "privacy/access_log.html",
        {"page": page, "receipts": receipts, "ledger_pending": ledger.pending().count()},
    )
