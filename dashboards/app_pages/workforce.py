"""队伍稳定: the workforce theme's KPIs."""

from dashboards.views import theme_page

theme_page("workforce")
