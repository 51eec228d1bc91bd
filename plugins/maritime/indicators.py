"""海事渔事矛盾化解率 (resolution rate of maritime and fishery disputes).

Seed 004 reports 舟山's maritime center by this figure ("今年以来海事渔事矛盾化解率达98.2%"): it
is core's resolution rate (化解率 = resolved ÷ accepted, the same conditions) over the plugin's
case types only — fishery disputes, crew rights and maritime commercial mediation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.toolkit import (
    Case,
    IndicatorDefinition,
    PluginIndicator,
    accepted_condition,
    resolved_condition,
)

from . import rules

#: The plugin's case types, which the figure is over.
MARITIME_TYPES = (rules.COMMERCIAL, rules.CREW, rules.FISHERY)

DEFINITION = IndicatorDefinition(
    "maritime_resolution_rate", "ratio",
    {"zh_Hans": "海事渔事矛盾化解率", "zh_Hant": "海事漁事矛盾化解率",
     "en": "Maritime and fishery resolution rate"},
    {"zh_Hans": "海事渔事矛盾化解率 = 已化解的渔事纠纷、船员权益和海事商事调解件 ÷ 这些件中"
                "已受理的（已化解、已受理与核心化解率同义）。",
     "zh_Hant": "海事漁事矛盾化解率 = 已化解的漁事糾紛、船員權益和海事商事調解件 ÷ 這些件中"
                "已受理的（已化解、已受理與核心化解率同義）。",
     "en": "Maritime and fishery resolution rate = resolved fishery disputes, crew rights and "
           "maritime commercial mediation cases ÷ those of them accepted (resolved and accepted "
           "as in core's resolution rate)."},
)


def count(session: Any, cases: Any) -> tuple[int, int]:
    """(resolved, accepted) maritime cases among ``cases``, in one aggregate query."""
    row = session.execute(
        select(func.count().filter(resolved_condition()), func.count())
        .select_from(Case)
        .where(Case.id.in_(cases), Case.case_type.in_(MARITIME_TYPES), accepted_condition())
    ).one()
    return int(row[0]), int(row[1])


INDICATOR = PluginIndicator(DEFINITION, count)
