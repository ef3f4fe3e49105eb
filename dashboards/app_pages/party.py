"""组织覆盖: the party theme's KPIs."""

from dashboards.views import theme_page

theme_page("party")
