"""Building blocks the pages render: KPI cards, charts with downloads, theme pages, alerts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import card_notes, data, district_map, filters
from dashboards.i18n import lang, pick, t
from warehouse.present import charts
from warehouse.present.format import FLAT, change, value
from warehouse.privacy import shown

# A city-wide KPI that moves more than this share in a month is an alert on the overview.
ALERT_MOVE = 0.2
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def start_page() -> data.Scope | None:
    """Every page starts here: the empty state when nothing is published, else the scope."""
    scope = filters.current()
    if scope is None:
        st.info(t("no_data"))
        st.stop()
    return scope


def page_header(title: str, scope: data.Scope) -> None:
    st.title(title)
    st.caption(f"{filters.district_label(scope)} · {scope.month}")


def build_caption() -> None:
    info = data.build_info()
    st.caption(t("build", build_id=info["build_id"], built_at=str(info["built_at"])[:19]))


def download_csv(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV with a UTF-8 BOM, so Excel and WPS open the Chinese text correctly; hidden
    small counts are written as "<5"."""
    st.download_button(
        t("download_csv"),
        data=shown(frame).to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download-{key}",
    )


def kpi_cards(headline: pd.DataFrame, scope: data.Scope, columns: int = 4) -> None:
    """One card per KPI: value, change on last month, a small trend; the definition on hover."""
    if headline.empty:
        return
    slots = st.columns(min(columns, len(headline)))
    revised = data.revised_figures(scope)
    for index, kpi in enumerate(headline.itertuples(index=False)):
        trend = data.series(kpi.kpi_id, scope)["value"].tail(13).tolist()
        mom = change(kpi.value, kpi.previous_month, kpi.value_kind)
        yoy = change(kpi.value, kpi.previous_year, kpi.value_kind)
        help_text = pick(kpi, "definition")
        if yoy is not None:
            help_text += f"\n\n{t('yoy')}: {yoy}"
        for line in card_notes.help_lines(kpi):
            help_text += f"\n\n{line}"
        correction = revision_note(kpi, revised)
        if correction:
            help_text += f"\n\n{correction}"
        flat = mom == FLAT.get(lang(), FLAT["zh"])  # 持平: grey, no arrow
        with slots[index % len(slots)]:
            st.metric(
                label=pick(kpi, "name") + (t("revised_mark") if correction else ""),
                value=value(kpi.value, kpi.value_kind, kpi.unit, lang(), kpi.value_suppressed),
                delta=None if mom is None else f"{mom} {t('mom')}",
                delta_color="off" if flat else "normal" if kpi.direction == "up" else "inverse",
                delta_arrow="off" if flat else "auto",
                help=help_text,
                border=True,
                chart_data=trend if len(trend) > 1 else None,
                chart_type="area",
            )
            badge = card_notes.badge(kpi)  # the 三色 status, in colour and words, under the card
            if badge:
                st.markdown(badge)
    if headline["value_suppressed"].fillna(False).astype(bool).any():
        st.caption(t("suppressed_note"))


def revision_note(kpi, revised: list[dict]) -> str | None:
    """The card's line when the month's latest pack corrected this figure (its KPI, group
    and platform), else None."""

    def code(value: object) -> str | None:
        return value if isinstance(value, str) and value else None

    for item in revised:
        if (item["kpi_id"], item["group_code"], item["platform_code"]) == (
            kpi.kpi_id,
            code(kpi.group_code),
            code(kpi.platform_code),
        ):
            files = "、".join(item["files"]) or t("revised_no_files")
            return t(
                "revised_help",
                version=item["version"],
                old=item["old"],
                new=item["new"],
                files=files,
            )
    return None


def alerts(headline: pd.DataFrame) -> list[str]:
    """The month's red figures, then its yellow ones (三色 status against this month's
    target), then the KPIs that moved beyond the threshold on last month."""
    found = card_notes.status_alerts(headline)
    for kpi in headline.itertuples(index=False):
        moved = (
            not pd.isna(kpi.value)
            and not pd.isna(kpi.previous_month)
            and kpi.previous_month
            and abs(kpi.value - kpi.previous_month) / abs(kpi.previous_month) > ALERT_MOVE
        )
        if moved:
            found.append(
                t(
                    "alert_move",
                    name=pick(kpi, "name"),
                    change=change(kpi.value, kpi.previous_month, kpi.value_kind),
                )
            )
    return found


def trend(kpi: pd.Series, scope: data.Scope, key: str) -> None:
    name = pick(kpi, "name")
    frame = data.series(kpi["kpi_id"], scope)
    # the frame's `target` column is the trajectory, drawn as a dashed line
    figure = charts.trend_line(
        frame, t("trend_title", name=name), name, kpi["value_kind"], target_label=t("target")
    )
    st.plotly_chart(figure, width="stretch", config=PLOT_CONFIG, key=f"trend-{key}")
    download_csv(frame, f"{kpi['kpi_id']}_{scope.month}_trend", f"trend-{key}")


def district_breakdown(kpi: pd.Series, scope: data.Scope, key: str) -> None:
    """The KPI per district; a click on a bar filters every page to that district."""
    name = pick(kpi, "name")
    frame = data.by_district(kpi["kpi_id"], scope)
    name_column = "district_name" if lang() == "zh" else "district_name_pinyin"
    figure = charts.district_bars(
        frame, t("by_district_title", name=name, month=scope.month), name_column, kpi["value_kind"]
    )
    chart_key = f"districts-{key}"
    st.plotly_chart(
        figure,
        width="stretch",
        config=PLOT_CONFIG,
        key=chart_key,
        on_select=lambda: filters.drill_from_chart(chart_key),
        selection_mode="points",
    )
    st.caption(t("drill_hint"))
    download_csv(
        frame[["district_code", "district_name", *data.VALUE_COLUMNS]],
        f"{kpi['kpi_id']}_{scope.month}_districts",
        f"districts-{key}",
    )


def category_breakdowns(kpi: pd.Series, scope: data.Scope, key: str) -> None:
    """The KPI by group and by platform, where the warehouse breaks it down that way."""
    name = pick(kpi, "name")
    for by, labels, title in (
        (
            "group_code",
            data.groups().set_index("group_code")[
                "group_name" if lang() == "zh" else "group_name_en"
            ],
            "by_group_title",
        ),
        (
            "platform_code",
            data.platforms().set_index("platform_code")[
                "platform_name" if lang() == "zh" else "platform_name_en"
            ],
            "by_platform_title",
        ),
    ):
        frame = data.breakdown(kpi["kpi_id"], scope, by)
        if frame.empty:
            continue
        frame = frame.assign(label=frame["code"].map(labels).fillna(frame["code"]))
        st.plotly_chart(
            charts.category_bars(frame, t(title, name=name), "label", kpi["value_kind"]),
            width="stretch",
            config=PLOT_CONFIG,
            key=f"{by}-{key}",
        )
        download_csv(frame, f"{kpi['kpi_id']}_{scope.month}_{by}", f"{by}-{key}")


def theme_page(theme: str) -> None:
    """A theme's page: its KPI cards, then one KPI at a time in depth."""
    scope = start_page()
    themes = data.themes().set_index("theme")
    page_header(themes.loc[theme, f"name_{lang()}"], scope)
    headline = data.headline(scope, theme)
    kpi_cards(headline, scope)
    if headline.empty:
        return
    names = dict(zip(headline["kpi_id"], headline[f"name_{lang()}"], strict=True))
    chosen = st.selectbox(
        t("choose_kpi"), options=list(names), format_func=names.get, key=f"kpi-{theme}"
    )
    kpi = headline.set_index("kpi_id").loc[chosen]
    kpi["kpi_id"] = chosen
    if (scope.group_code and kpi["group_code"] != scope.group_code) or (
        scope.platform_code and kpi["platform_code"] != scope.platform_code
    ):
        st.caption(t("not_broken_down"))
    left, right = st.columns(2)
    with left:
        trend(kpi, scope, theme)
    with right:
        if scope.district_code is None:
            district_breakdown(kpi, scope, theme)
        else:
            category_breakdowns(kpi, scope, theme)
    district_map.kpi_map(kpi, scope, theme)
    if scope.district_code is None:
        category_breakdowns(kpi, scope, theme)
    extra = THEME_EXTRAS.get(theme)
    if extra:
        extra(scope)
    build_caption()


def service_network_extras(scope: data.Scope) -> None:
    """The station map (no tiles: points on lon/lat axes) and stations per street."""
    stations = data.stations(scope)
    if stations.empty:
        return
    district_column = "district_name" if lang() == "zh" else "district_name_pinyin"
    st.plotly_chart(
        charts.station_map(stations, t("stations_map"), district_column),
        width="stretch",
        config=PLOT_CONFIG,
        key="station-map",
    )
    per_street = (
        stations.groupby([district_column, "street_code", "street_name"], dropna=False)
        .size()
        .reset_index(name="stations")
        .sort_values("stations", ascending=False)
        .rename(
            columns={
                district_column: t("district"),
                "street_name": t("street"),
                "stations": t("count"),
            }
        )
    )
    st.subheader(t("stations_by_street"))
    st.dataframe(per_street, hide_index=True, width="stretch")
    download_csv(per_street, f"stations_by_street_{scope.month}", "stations-by-street")


def workforce_extras(scope: data.Scope) -> None:
    """How long people stay: the tenure distribution and each quarter's retention curve."""
    if not data.relation_exists("fct_workforce_tenure_monthly"):
        return
    left, right = st.columns(2)
    with left:
        tenure = data.tenure_distribution(scope)
        st.plotly_chart(
            charts.category_bars(
                tenure.rename(columns={"workers": "value"}), t("tenure_title"), "tenure_years"
            ),
            width="stretch",
            config=PLOT_CONFIG,
            key="tenure",
        )
        download_csv(tenure, f"tenure_{scope.month}", "tenure")
    with right:
        cohorts = data.cohort_retention(scope)
        st.plotly_chart(
            charts.retention_curves(cohorts, t("retention_title")),
            width="stretch",
            config=PLOT_CONFIG,
            key="cohorts",
        )
        download_csv(cohorts, f"cohort_retention_{scope.month}", "cohorts")


THEME_EXTRAS = {"service": service_network_extras, "workforce": workforce_extras}
