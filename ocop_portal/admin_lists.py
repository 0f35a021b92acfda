"""Admin lists over tables that grow with the catalogue (products, certificates, organisations, the audit trail)."""

from django.contrib import admin


class LargeListMixin:
    """No whole-table work beside the page: no second count of every row, no "Show counts" on the filters.

    Each filter value's count reads every row (minutes for the certificates of a million products); the
    count of the filtered list is the one the pagination needs.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
