"""权益保障: the rights theme's KPIs."""

from dashboards.views import theme_page

theme_page("rights")
