"""平安治理: the governance theme's KPIs."""

from dashboards.views import theme_page

theme_page("governance")
