"""Hook implementations of the Campus plugin."""

from core.toolkit import WindowType, hookimpl

NAMES = {"zh_Hans": "校园纠纷调解", "zh_Hant": "校園糾紛調解", "en": "Campus"}


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The windows this plugin opens at a center."""
    return [WindowType("campus", {"zh_Hans": "校园纠纷调解", "zh_Hant": "校園糾紛調解", "en": "Campus disputes"})]
