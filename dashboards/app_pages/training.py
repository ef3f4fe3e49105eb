"""技能培训: the training theme's KPIs."""

from dashboards.views import theme_page

theme_page("training")
