"""The maritime plugin's own table: cold-chain supervision items (冷链物流监管对象).

A cold store, refrigerated carrier or truck, or processing plant the center keeps an eye on:
the highest temperature its goods may reach, the last inspection and what it found. Rows are
tenant-owned (``TenantScoped``, row-level security in the plugin's migration).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import Base, TenantScoped

#: Kinds of cold-chain item, with their names.
KINDS = {
    "cold_store": {"zh_Hans": "冷库", "zh_Hant": "冷庫", "en": "Cold store"},
    "refrigerated_carrier": {"zh_Hans": "冷藏运输船", "zh_Hant": "冷藏運輸船",
                             "en": "Refrigerated carrier vessel"},
    "refrigerated_truck": {"zh_Hans": "冷藏车", "zh_Hant": "冷藏車", "en": "Refrigerated truck"},
    "processing_plant": {"zh_Hans": "水产品加工厂", "zh_Hant": "水產品加工廠",
                         "en": "Seafood processing plant"},
}
#: What the last inspection found.
STATUSES = {
    "pending": {"zh_Hans": "待检查", "zh_Hant": "待檢查", "en": "Not inspected yet"},
    "compliant": {"zh_Hans": "合格", "zh_Hant": "合格", "en": "Compliant"},
    "rectification": {"zh_Hans": "限期整改", "zh_Hant": "限期整改", "en": "To be rectified"},
}


class ColdChainItem(TenantScoped, Base):
    """One cold-chain supervision item of a tenant."""

    __tablename__ = "maritime_cold_chain_items"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    operator: Mapped[str] = mapped_column(String(120), default="")
    port: Mapped[str] = mapped_column(String(100), default="")
    vessel: Mapped[str] = mapped_column(String(20), default="")
    max_temperature: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_temperature: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    last_inspected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
