"""Importing ambassadors in the admin: upload, preview every row with its
problems, then import the valid ones."""

import base64
import zlib

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import importing

UPLOAD_SALT = "ambassadors.import"
MAX_BYTES = 2 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Columns: name, email, municipality, place, languages, moved_from, interests, text, consent_date. "
            "Comma or semicolon; UTF-8 or Windows-1252."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


def can_import(user):
    return user.has_perm("ambassadors.add_ambassador") and user.has_perm("ambassadors.change_ambassador")


def pack(data, filename):
    """The uploaded file, signed, to carry from the preview to the import."""
    return signing.dumps({"f": filename, "d": base64.b64encode(zlib.compress(data)).decode()}, salt=UPLOAD_SALT)


def unpack(token):
    value = signing.loads(token, salt=UPLOAD_SALT, max_age=3600)
    return zlib.decompress(base64.b64decode(value["d"])), value["f"]


def import_summary(counts):
    """ "Imported: 1 new, 2 updated, 0 unchanged; 1 row skipped." with each count's
    own plural ("1 ny", not "1 nya")."""
    return _("Imported: %(new)s, %(updated)s, %(unchanged)s; %(skipped)s.") % {
        "new": ngettext("%(count)d new", "%(count)d new", counts["create"]) % {"count": counts["create"]},
        "updated": ngettext("%(count)d updated", "%(count)d updated", counts["update"]) % {"count": counts["update"]},
        "unchanged": ngettext("%(count)d unchanged", "%(count)d unchanged", counts["unchanged"])
        % {"count": counts["unchanged"]},
        "skipped": ngettext("%(count)d row skipped", "%(count)d rows skipped", counts["error"])
        % {"count": counts["error"]},
    }


def import_ambassadors(request):
    if not can_import(request.user):
        raise PermissionDenied
    form, planned, token, status, unknown = UploadForm(), None, "", 200, []
    if request.method == "POST" and "confirm" in request.POST:
        try:
            data, filename = unpack(request.POST.get("upload", ""))
            counts = importing.apply(importing.plan(importing.read_table(data, filename)))
        except (signing.BadSignature, importing.UnreadableFile):
            messages.error(request, _("The upload expired or could not be read. Please upload the file again."))
            return redirect("ambassador_import")
        messages.success(request, import_summary(counts))
        return redirect("wagtailsnippets_ambassadors_ambassador:list")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                table = importing.read_table(data, upload.name)
                unknown = importing.unknown_columns(table)
                planned = importing.plan(table)
                token = pack(data, upload.name)
                status = 200
            except importing.UnreadableFile as error:
                form.add_error("file", str(error))
    valid = [row for row in planned or [] if row.is_valid]
    return TemplateResponse(
        request,
        "ambassadors/admin/import.html",
        {
            "form": form,
            "rows": planned,
            "valid_count": len(valid),
            "token": token,
            "header_icon": "upload",
            "unknown_columns": ", ".join(unknown),
            "known_columns": ", ".join(importing.COLUMNS),
        },
        status=status,
    )
