"""Chart builders: pure functions from a DataFrame to a Plotly figure, no data access."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from warehouse.present.format import number, percent, value

PALETTE = ["#c8161d", "#e07b39", "#3b6ea5", "#5c9e6f", "#8c6bb1", "#999999", "#d4a017", "#2f4f4f"]
FONT = "WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
# Pixel sizes that stay legible when a 600-pixel-wide chart is printed half an A4 page wide.
TITLE_SIZE = 20
TICK_SIZE = 14


def _layout(figure: go.Figure, title: str, height: int = 360, dark: bool = False) -> go.Figure:
    figure.update_layout(
        title={
            "text": title,
            "x": 0.0,
            "xref": "paper",
            "font": {"family": FONT, "size": TITLE_SIZE},
        },
        font={"family": FONT, "size": TICK_SIZE, "color": "#f5f5f5" if dark else "#222222"},
        margin={"l": 50, "r": 20, "t": 56, "b": 40},
        plot_bgcolor="rgba(0,0,0,0)" if dark else "white",
        paper_bgcolor="rgba(0,0,0,0)" if dark else "white",
        hovermode="x unified",
        height=height,
    )
    figure.update_xaxes(showgrid=False, tickfont={"size": TICK_SIZE})
    figure.update_yaxes(
        tickfont={"size": TICK_SIZE}, gridcolor="#444444" if dark else "#eeeeee", rangemode="tozero"
    )
    return figure


def _hover_format(value_kind: str) -> str:
    return (
        "%{y:.1%}"
        if value_kind == "rate"
        else "%{y:,.1f}"
        if value_kind == "average"
        else "%{y:,.0f}"
    )


def trend_line(
    series: pd.DataFrame,
    title: str,
    value_label: str,
    value_kind: str = "count",
    target: float | None = None,
    height: int = 360,
    dark: bool = False,
    target_label: str = "",
) -> go.Figure:
    """A KPI over months (`month`, `value` columns), first and last values labelled; the
    trajectory of targets as a dashed line where the frame has a `target` column with
    values, else a dashed line at `target`, written `target_label` and the target."""
    figure = go.Figure(
        go.Scatter(
            x=series["month"],
            y=series["value"],
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 3},
            marker={"size": 6},
            name=value_label,
            hovertemplate=f"%{{x}}: {_hover_format(value_kind)}<extra></extra>",
        )
    )
    shown = series.dropna(subset=["value"])  # a hidden or missing month is a gap, unlabelled
    if not shown.empty:
        ends = shown.iloc[[0, -1]] if len(shown) > 1 else shown
        labels = [
            percent(v) if value_kind == "rate" else number(v, lang="en") for v in ends["value"]
        ]
        figure.add_trace(
            go.Scatter(
                x=ends["month"],
                y=ends["value"],
                mode="text",
                text=labels,
                textposition="top center",
                textfont={"family": FONT, "size": TICK_SIZE, "color": PALETTE[0]},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    trajectory = series["target"] if "target" in series.columns else None
    if trajectory is not None and trajectory.notna().any():
        # the target month by month: the straight line toward the goal (fct_kpi_status)
        figure.add_trace(
            go.Scatter(
                x=series["month"],
                y=trajectory,
                mode="lines",
                line={"color": PALETTE[5], "width": 2, "dash": "dash"},
                name=target_label or "target",
                hovertemplate=f"%{{x}}: {_hover_format(value_kind)}<extra>{target_label}</extra>",
            )
        )
    elif target is not None and not pd.isna(target):
        figure.add_hline(
            y=target,
            line_dash="dash",
            line_color=PALETTE[5],
            annotation_position="top left",  # the last value's label sits on the right
            annotation_text=f"{target_label} {value(target, value_kind, None, 'en')}".strip(),
            annotation_font={"family": FONT, "size": TICK_SIZE, "color": PALETTE[5]},
        )
    figure.update_layout(showlegend=False)
    figure.update_xaxes(tickformat="%Y-%m", hoverformat="%Y-%m")
    if value_kind == "rate":
        figure.update_yaxes(tickformat=".0%", hoverformat=".1%")
    return _layout(figure, title, height, dark)


def district_bars(
    frame: pd.DataFrame, title: str, name_column: str, value_kind: str = "count"
) -> go.Figure:
    """A KPI per district (`value`, `district_code` and a name column), largest on top."""
    ordered = frame.sort_values("value")
    figure = go.Figure(
        go.Bar(
            x=ordered["value"],
            y=ordered[name_column],
            orientation="h",
            marker={"color": PALETTE[2]},
            hovertemplate=f"%{{y}}: {_hover_format(value_kind).replace('y', 'x')}<extra></extra>",
            customdata=ordered["district_code"],
        )
    )
    figure.update_layout(hovermode="closest")
    if value_kind == "rate":
        figure.update_xaxes(tickformat=".0%")
    return _layout(figure, title, height=max(360, 28 * len(frame) + 80))


def category_bars(
    frame: pd.DataFrame, title: str, label_column: str, value_kind: str = "count"
) -> go.Figure:
    """A KPI per category (`value` and a label column)."""
    figure = go.Figure(
        go.Bar(
            x=frame[label_column],
            y=frame["value"],
            marker={"color": PALETTE[1]},
            hovertemplate=f"%{{x}}: {_hover_format(value_kind)}<extra></extra>",
        )
    )
    figure.update_layout(hovermode="closest")
    if value_kind == "rate":
        figure.update_yaxes(tickformat=".0%")
    return _layout(figure, title)


def station_map(stations: pd.DataFrame, title: str, district_column: str) -> go.Figure:
    """Station points on plain lon/lat axes, coloured by district: a map with no tiles to fetch."""
    figure = go.Figure()
    for index, (district, points) in enumerate(stations.groupby(district_column, sort=True)):
        figure.add_trace(
            go.Scattergl(
                x=points["longitude"],
                y=points["latitude"],
                mode="markers",
                name=district,
                marker={"size": 4, "color": PALETTE[index % len(PALETTE)], "opacity": 0.7},
                hovertemplate="%{text}<extra>" + str(district) + "</extra>",
                text=points["station_name"],
            )
        )
    figure = _layout(figure, title, height=620)
    figure.update_layout(hovermode="closest", legend={"itemsizing": "constant"})
    # Equal distances on both axes at Hangzhou's latitude (cos 30° ≈ 0.87).
    figure.update_yaxes(
        scaleanchor="x", scaleratio=1.15, rangemode="normal", showgrid=False, title="纬度"
    )
    figure.update_xaxes(rangemode="normal", title="经度")
    return figure


def retention_curves(cohorts: pd.DataFrame, title: str) -> go.Figure:
    """One line per starting cohort: the share still active N months after starting."""
    figure = go.Figure()
    for index, (cohort, curve) in enumerate(cohorts.groupby("cohort", sort=True)):
        figure.add_trace(
            go.Scatter(
                x=curve["months_in"],
                y=curve["retention"],
                mode="lines",
                name=cohort,
                line={"color": PALETTE[index % len(PALETTE)], "width": 2},
                hovertemplate=f"{cohort} +%{{x}}: %{{y:.0%}}<extra></extra>",
            )
        )
    figure = _layout(figure, title)
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(tickformat=".0%", range=[0, 1])
    figure.update_xaxes(dtick=3)
    return figure
