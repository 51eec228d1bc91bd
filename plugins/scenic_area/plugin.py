"""Hook implementations of the Scenic area plugin."""

from core.toolkit import WindowType, hookimpl

NAMES = {"zh_Hans": "景区纠纷调解", "zh_Hant": "景區糾紛調解", "en": "Scenic area"}


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The windows this plugin opens at a center."""
    return [WindowType("scenic_area", {"zh_Hans": "景区旅游投诉", "zh_Hant": "景區旅遊投訴", "en": "Scenic area and tourism complaints"})]
