"""Hook implementations of the Maritime plugin."""

from core.toolkit import WindowType, hookimpl

NAMES = {"zh_Hans": "海事渔业纠纷调解", "zh_Hant": "海事漁業糾紛調解", "en": "Maritime"}


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The windows this plugin opens at a center."""
    return [WindowType("maritime", {"zh_Hans": "海事渔业纠纷", "zh_Hant": "海事漁業糾紛", "en": "Maritime and fishery disputes"})]
