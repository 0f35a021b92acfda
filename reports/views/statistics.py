"""The public statistics page: the OCOP programme's figures as charts, each with its data table."""

import re

from django.utils import timezone
from django.views.generic import TemplateView

from reports.selectors import statistics

PROVINCE_CODE = re.compile(r"[0-9A-Za-z]{1,4}")


class StatisticsView(TemplateView):
    """Anyone may read it; `?province=<code>` shows that province's wards and communes."""

    template_name = "reports/statistics.html"

    def get_context_data(self, **kwargs):
        requested = self.request.GET.get("province", "").strip()
        code = requested if PROVINCE_CODE.fullmatch(requested) else None
        figures = statistics.public_statistics(province_code=code, page_url=self.request.path)
        return {
            **super().get_context_data(**kwargs),
            "stats": figures,
            "today": timezone.localdate(),
            # A shared link with a province that does not exist shows every province and says so.
            "unknown_province": bool(requested) and figures.province is None,
            "province_selected": bool(code) and figures.province is not None,
        }
