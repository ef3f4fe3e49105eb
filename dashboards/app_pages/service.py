"""服务阵地: the service theme's KPIs."""

from dashboards.views import theme_page

theme_page("service")
