"""The picker of a dossier's files to use for one more standard: a search by name, pages."""

import django_filters
from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceFile
from rescue.lists import ListFilterSet


class ReusableFileFilter(ListFilterSet):
    q = django_filters.CharFilter(
        field_name="current_revision__original_name",
        lookup_expr="icontains",
        label=_("File name"),
        help_text=_("Part of the name."),
    )

    class Meta:
        model = EvidenceFile
        fields = ["q"]
