"""小哥码: the xiaogema theme's KPIs."""

from dashboards.views import theme_page

theme_page("xiaogema")
