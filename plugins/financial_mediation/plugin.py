"""Hook implementations of the Financial mediation plugin."""

from core.toolkit import WindowType, hookimpl

NAMES = {"zh_Hans": "金融纠纷调解", "zh_Hant": "金融糾紛調解", "en": "Financial mediation"}


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The windows this plugin opens at a center."""
    return [WindowType("financial_mediation", {"zh_Hans": "金融纠纷调解", "zh_Hant": "金融糾紛調解", "en": "Financial dispute mediation"})]
