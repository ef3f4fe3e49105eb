"""Hangzhou's real districts, streets and platforms (from seeds/), weighted for the demo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from warehouse.config import SEEDS_DIR

# How much delivery work a district draws beyond its population: the urban core and the
# e-commerce belt more, the mountain counties less (a demo assumption, not a statistic).
URBAN_FACTOR = {
    "330102": 1.6, "330105": 1.5, "330106": 1.5, "330108": 1.7, "330109": 1.0,
    "330110": 1.4, "330111": 0.6, "330112": 0.5, "330113": 1.0, "330114": 0.9,
    "330122": 0.35, "330127": 0.25, "330182": 0.35,
}  # fmt: skip


@dataclass
class Places:
    districts: pd.DataFrame
    streets: pd.DataFrame
    platforms: pd.DataFrame

    @classmethod
    def load(cls) -> Places:
        districts = pd.read_csv(SEEDS_DIR / "districts.csv", dtype=str)
        weight = districts["population_2020_census"].astype(float) * districts["district_code"].map(
            URBAN_FACTOR
        )
        districts["weight"] = weight / weight.sum()
        streets = pd.read_csv(SEEDS_DIR / "streets.csv", dtype=str)
        platforms = pd.read_csv(SEEDS_DIR / "platforms.csv", dtype=str)
        return cls(districts, streets, platforms)

    def pick_district(self, rng: np.random.Generator) -> pd.Series:
        return self.districts.iloc[int(rng.choice(len(self.districts), p=self.districts["weight"]))]

    def pick_street(self, rng: np.random.Generator, district_code: str) -> pd.Series:
        options = self.streets[self.streets["district_code"] == district_code]
        return options.iloc[int(rng.integers(len(options)))]

    def platform_name(self, code: str) -> str:
        return self.platforms.loc[self.platforms["platform_code"] == code, "platform_name"].iloc[0]
