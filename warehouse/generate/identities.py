"""Synthetic people: resident ID numbers with valid GB 11643 check digits, names, mobiles.

Vectorised with numpy so the city scale (hundreds of thousands of people) takes seconds.
"""

from __future__ import annotations

import numpy as np

# Where the workers come from (first two digits of the ID number): Zhejiang and the
# neighbouring labour-exporting provinces first (a demo assumption).
HOME_PROVINCES = {
    "33": 0.28, "34": 0.15, "41": 0.11, "36": 0.09, "51": 0.06, "52": 0.06, "43": 0.05,
    "42": 0.04, "32": 0.03, "37": 0.03, "53": 0.03, "45": 0.02, "50": 0.02, "62": 0.02,
    "35": 0.01,
}  # fmt: skip
AREA_SUFFIXES = np.array(
    ["0102", "0103", "0105", "0203", "0302", "0421", "0522", "0681", "1121", "2301", "2622"]
)
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = np.array(list("10X98765432"))
SURNAMES = np.array(
    list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程")
)
GIVEN = np.array(
    list("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文海峰亮成东兵晨")
    + list("芳娜敏静丽艳娟霞燕玲婷雪")
)
MOBILE_PREFIXES = np.array(
    ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
     "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185",
     "186", "187", "188", "189", "191", "198", "199"]
)  # fmt: skip
REFERENCE_DAY = np.datetime64("2025-06-30")


def check_digits(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters for an array of 17-digit strings."""
    digits = first17.astype("S17").view("S1").reshape(len(first17), 17).astype(np.int64)
    return CHECK_CHARS[(digits @ WEIGHTS) % 11]


def id_numbers(rng: np.random.Generator, ages: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Distinct, valid 18-digit ID numbers for people of the given ages (at 2025-06) and sexes."""
    n = len(ages)
    provinces = np.array(list(HOME_PROVINCES))
    weights = np.array(list(HOME_PROVINCES.values()))
    area = np.char.add(
        provinces[rng.choice(len(provinces), n, p=weights / weights.sum())],
        AREA_SUFFIXES[rng.integers(len(AREA_SUFFIXES), size=n)],
    )
    days = (ages * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    birth = np.char.replace(np.datetime_as_string(REFERENCE_DAY - days, unit="D"), "-", "")
    out = np.empty(n, dtype="U18")
    todo = np.arange(n)
    while len(todo):
        seq = rng.integers(0, 100, len(todo)) * 10 + (
            rng.integers(0, 5, len(todo)) * 2 + male[todo].astype(int)
        )
        first17 = np.char.add(
            np.char.add(area[todo], birth[todo]), np.char.zfill(seq.astype(str), 3)
        )
        out[todo] = np.char.add(first17, check_digits(first17))
        _, first = np.unique(out, return_index=True)
        duplicate = np.ones(n, dtype=bool)
        duplicate[first] = False
        todo = np.flatnonzero(duplicate)
    return out


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = SURNAMES[rng.integers(len(SURNAMES), size=n)]
    first = GIVEN[rng.integers(len(GIVEN), size=n)]
    second = np.where(rng.random(n) < 0.6, GIVEN[rng.integers(len(GIVEN), size=n)], "")
    return np.char.add(np.char.add(surname, first), second)


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = MOBILE_PREFIXES[rng.integers(len(MOBILE_PREFIXES), size=n)]
    rest = np.char.zfill(rng.integers(0, 100_000_000, n).astype(str), 8)
    return np.char.add(prefix, rest)
