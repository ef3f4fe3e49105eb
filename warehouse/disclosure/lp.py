"""Linear programming over linked person counts: what an attacker can work out, and the
suppression pattern that stops them.

A `Model` holds every person count that is published or can be derived (variables, with their
true values) and every linear relation between them that holds (constraints). Given which
variables a reader sees, `intervals` solves, for each sensitive variable the reader does not
see, min and max of that variable subject to all relations, the seen values and x >= 0: the
feasible interval of the τ-ARGUS / sdcTable audit. `protect` chooses the cells to hide.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csc_matrix
from scipy.sparse.csgraph import connected_components

EQ = "eq"  # sum(coef * x) == 0
LE = "le"  # sum(coef * x) <= 0
SLACK = 1e-6  # numerical tolerance of an interval's ends


@dataclass
class Model:
    """Variables (arrays indexed alike) and constraints (sparse rows over variable indexes)."""

    value: np.ndarray  # true value of each variable
    published: np.ndarray  # shown somewhere unless hidden (False: derivable only)
    primary: np.ndarray  # sensitive: 0 < value < threshold
    locked: np.ndarray  # never hidden (city-wide headline figures)
    cost: np.ndarray  # information lost by hiding it
    constraints: list[tuple[np.ndarray, np.ndarray, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class Protection:
    """The interval an attacker's range must cover: [value - lower, value + upper]."""

    threshold: float

    def lower(self, value: np.ndarray) -> np.ndarray:
        # the attacker cannot rule out that nobody is there
        return value

    def upper(self, value: np.ndarray) -> np.ndarray:
        # nor that the count is at or above the threshold (a safe, publishable size)
        return np.maximum(self.threshold - value, 0)


def _components(
    model: Model, unknown: np.ndarray
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Connected groups of unknown variables (linked through constraints), and the constraints
    of each group. Known variables are constants, so they do not link anything.

    Groups come in the order of their smallest variable, members and constraints ascending:
    the order decides which of two equally cheap cells `protect` hides."""
    sizes = [len(index) for index, _coef, _kind in model.constraints]
    member = np.concatenate([np.zeros(0, dtype=np.int64)] + [c[0] for c in model.constraints])
    constraint = np.repeat(np.arange(len(sizes)), sizes)
    keep = unknown[member]
    member, constraint = member[keep], constraint[keep]
    # each constraint links its unknowns to its first unknown
    used, first = np.unique(constraint, return_index=True)
    head = member[first][np.searchsorted(used, constraint)]
    graph = coo_matrix((np.ones(len(member)), (head, member)), shape=(len(model), len(model)))
    _count, label = connected_components(graph, directed=False)
    variables: dict[int, list[int]] = defaultdict(list)
    for i in np.flatnonzero(unknown).tolist():
        variables[int(label[i])].append(i)
    constraints: dict[int, list[int]] = defaultdict(list)
    for c, group in zip(used.tolist(), label[member[first]].tolist(), strict=True):
        constraints[group].append(c)
    return variables, constraints


@cache
def _solver() -> highspy.Highs:
    """One quiet HiGHS instance per process, reused for every component."""
    # HiGHS writes a banner to the C-level stdout when it starts: keep it off the CLI's output
    sys.stdout.flush()
    saved, quiet = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(quiet, 1)
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(quiet)
    solver.setOptionValue("presolve", "off")  # keeps the basis between solves
    return solver


def _component_bounds(
    model: Model,
    unknown: np.ndarray,
    members: list[int],
    constraint_ids: list[int],
    targets: list[int],
    binding: dict[int, list[int]] | None = None,
    protection: Protection | None = None,
) -> dict[int, tuple[float, float]]:
    """Min and max of each target variable over the component's feasible region.

    One HiGHS model per component; only the objective changes between targets, so each
    solve starts from the last basis (dual simplex warm start).

    With `protection`, every solution found is also a point of the region that the other
    targets may take: a side of a target's interval that such a point already shows wide
    enough is not solved, and its bound is the point's value (which covers the protection
    interval, so `exposed` still judges the target right; the interval may be wider).
    """
    column = {v: j for j, v in enumerate(members)}
    data, cols, row_ids, lower, upper = [], [], [], [], []
    for row, c in enumerate(constraint_ids):
        index, coef, kind = model.constraints[c]
        constant = 0.0
        for i, a in zip(index, coef, strict=True):
            if unknown[i]:
                data.append(a)
                cols.append(column[int(i)])
                row_ids.append(row)
            else:
                constant += a * model.value[i]
        lower.append(-constant if kind == EQ else -highspy.kHighsInf)
        upper.append(-constant)
    matrix = csc_matrix((data, (row_ids, cols)), shape=(len(constraint_ids), len(members)))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(members), len(constraint_ids)
    lp.col_cost_ = np.zeros(len(members))
    lp.col_lower_ = np.zeros(len(members))
    lp.col_upper_ = np.full(len(members), highspy.kHighsInf)
    lp.row_lower_, lp.row_upper_ = np.array(lower), np.array(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
    lp.a_matrix_.value_ = matrix.data
    solver = _solver()
    solver.passModel(lp)
    bounds = {}
    target_columns = np.array([column[t] for t in targets])
    values = model.value[targets]
    goal = (  # how low and how high a target must be shown able to go (without: exactly)
        (values - protection.lower(values) + SLACK, values + protection.upper(values) - SLACK)
        if protection
        else (np.full(len(targets), -np.inf), np.full(len(targets), np.inf))
    )
    seen = (np.full(len(targets), np.inf), np.full(len(targets), -np.inf))
    for k, target in enumerate(targets):
        found = []
        for side, sign in enumerate((1.0, -1.0)):
            if sign * seen[side][k] <= sign * goal[side][k]:
                found.append(seen[side][k])
                continue
            solver.changeColCost(column[target], sign)
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                found.append(sign * solver.getInfo().objective_function_value)
                solution = solver.getSolution()
                point = np.asarray(solution.col_value)[target_columns]
                np.minimum(seen[0], point, out=seen[0])
                np.maximum(seen[1], point, out=seen[1])
                if binding is not None:  # the relations that stop the target moving further
                    duals = np.abs(np.asarray(solution.row_dual))
                    binding.setdefault(target, []).extend(
                        constraint_ids[r] for r in np.flatnonzero(duals > 1e-9)
                    )
            elif status == highspy.HighsModelStatus.kUnbounded and sign < 0:
                found.append(np.inf)
            else:
                raise RuntimeError(f"disclosure LP failed: {solver.modelStatusToString(status)}")
        solver.changeColCost(column[target], 0.0)
        bounds[target] = (found[0], found[1])
    return bounds


def intervals(
    model: Model,
    visible: np.ndarray,
    touched: np.ndarray | None = None,
    binding: dict[int, list[int]] | None = None,
    protection: Protection | None = None,
) -> dict[int, tuple[float, float]]:
    """The feasible interval of every sensitive variable the reader does not see.

    `visible`: which variables the reader sees (published and not hidden, in their scope).
    `touched`: audit only the groups of unknowns that contain one of these variables.
    `binding`: filled with, per variable, the constraints that bound its interval.
    `protection`: only as exact as needed to judge each variable against it (`protect`).
    """
    unknown = ~visible
    variables, constraints = _components(model, unknown)
    found: dict[int, tuple[float, float]] = {}
    for root, members in variables.items():
        if touched is not None and not touched[members].any():
            continue
        targets = [v for v in members if model.primary[v]]
        if not targets:
            continue
        if not constraints.get(root):  # tied to nothing: anything from 0 up
            found.update({t: (0.0, np.inf) for t in targets})
            continue
        found.update(
            _component_bounds(
                model, unknown, members, constraints[root], targets, binding, protection
            )
        )
    return found


def exposed(
    model: Model,
    bounds: dict[int, tuple[float, float]],
    protection: Protection,
    slack: float = SLACK,
) -> list[int]:
    """Sensitive variables whose feasible interval is narrower than their protection interval."""
    out = []
    for v, (low, high) in bounds.items():
        x = model.value[v]
        if low > x - protection.lower(x) + slack or high < x + protection.upper(x) - slack:
            out.append(v)
    return out


def protect(model: Model, protection: Protection, max_rounds: int = 2000) -> np.ndarray:
    """Which published variables to hide: every sensitive one, and more until no sensitive
    variable can be narrowed below its protection interval from what stays visible.

    Primary suppression, then rounds of audit and repair: each exposed variable gets the
    cheapest visible variable (cost = its count, as τ-ARGUS's default) that shares a
    constraint with its group of unknowns, hidden as well. Locked variables (city-wide
    headlines) are chosen only where no other variable can protect a sensitive count.
    """
    hidden = model.published & model.primary
    members_of: dict[int, list[int]] = defaultdict(list)
    for c, (index, _coef, _kind) in enumerate(model.constraints):
        for i in index:
            members_of[int(i)].append(c)
    _hide_lone_unknowns(model, hidden, protection)
    dirty = np.ones(len(model), dtype=bool)
    for _ in range(max_rounds):
        visible = model.published & ~hidden
        binding: dict[int, list[int]] = {}
        bounds = intervals(model, visible, dirty, binding, protection)
        failing = exposed(model, bounds, protection)
        if not failing:
            return hidden
        dirty = np.zeros(len(model), dtype=bool)
        variables, _ = _components(model, ~visible)
        group_of = {v: root for root, vs in variables.items() for v in vs}
        for v in failing:
            root = group_of[v]
            low, high = bounds[v]
            x = model.value[v]
            # how far the others must be able to move for v to reach its interval's ends
            need = max(protection.upper(x) - (high - x), protection.lower(x) - (x - low), 0)
            visible = model.published & ~hidden
            # first the cells that share a relation with the exposed one, else its group's;
            # a headline figure only when nothing else can protect it
            candidates = (
                _visible_in(model, visible, binding.get(v, []))
                or _hideable(model, visible, members_of, [v])
                or _hideable(model, visible, members_of, variables[root])
                or _hideable(model, visible, members_of, [v], headlines=True)
                or _hideable(model, visible, members_of, variables[root], headlines=True)
            )
            if not candidates:
                if dirty.any():  # its group grew this round: audit it again with what was hidden
                    continue
                raise RuntimeError(f"cannot protect variable {v}: no visible neighbour to hide")
            # the cheapest cell big enough to give the room needed, else the biggest
            enough = [i for i in candidates if model.value[i] >= need]
            choice = (
                min(enough, key=lambda i: (model.cost[i], i))
                if enough
                else max(candidates, key=lambda i: (model.value[i], -i))
            )
            hidden[choice] = True
            dirty[variables[root]] = True
            dirty[choice] = True
        # a hidden neighbour may join other groups: audit everything it touches again
        for v in np.flatnonzero(dirty).tolist():
            for c in members_of[v]:
                dirty[model.constraints[c][0]] = True
    raise RuntimeError("disclosure protection did not converge")


def _hide_lone_unknowns(model: Model, hidden: np.ndarray, protection: Protection) -> None:
    """The classic rule before any LP, to start near a protected pattern: an equation that
    holds a sensitive or hidden unknown must hold at least two unknowns, and with a sensitive
    one their sum must reach the threshold (a lone unknown is the total minus the rest).
    Repeated until nothing changes (hiding a cell can break another equation)."""
    equations = [(index, coef) for index, coef, kind in model.constraints if kind == EQ]
    changed = True
    while changed:
        changed = False
        for index, _coef in equations:
            unknown = index[~model.published[index] | hidden[index]]
            sensitive = model.primary[unknown].any()
            if not sensitive and not (model.published[unknown] & hidden[unknown]).any():
                continue
            total = model.value[unknown].sum()
            if len(unknown) >= 2 and (not sensitive or total >= protection.threshold):
                continue
            shown = index[model.published[index] & ~hidden[index]]
            if not len(shown):
                continue
            free = shown[~model.locked[shown]]
            pool = free if len(free) else shown
            hidden[pool[np.argmin(model.cost[pool])]] = True
            changed = True


def _visible_in(model: Model, visible: np.ndarray, constraint_ids: list[int]) -> set[int]:
    """Visible, unlocked variables of the given constraints."""
    return {
        int(i)
        for c in constraint_ids
        for i in model.constraints[c][0]
        if visible[i] and not model.locked[i]
    }


def _hideable(
    model: Model,
    visible: np.ndarray,
    members_of: dict[int, list[int]],
    around: list[int],
    headlines: bool = False,
) -> set[int]:
    """Visible variables sharing a constraint with `around` (locked ones only if `headlines`)."""
    return {
        int(i)
        for member in around
        for c in members_of[member]
        for i in model.constraints[c][0]
        if visible[i] and (headlines or not model.locked[i])
    }
