"""Hook implementations of the Labor arbitration plugin."""

from core.toolkit import WindowType, hookimpl

NAMES = {"zh_Hans": "劳动人事争议仲裁", "zh_Hant": "勞動人事爭議仲裁", "en": "Labor arbitration"}


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The windows this plugin opens at a center."""
    return [WindowType("labor_arbitration", {"zh_Hans": "劳动争议仲裁", "zh_Hant": "勞動爭議仲裁", "en": "Labor dispute arbitration"})]
