"""Every model, imported in one place so that Alembic and the app see the whole schema."""

from shop.accounts.identity import Address, BuyerIdentity
from shop.accounts.models import Role, User
from shop.api.models import ApiToken
from shop.audit import AuditEntry
from shop.cart.models import Cart, CartItem
from shop.catalog.models import Brand, Category, ConsumptionTaxCategory, NetContentUnit, Product, ProductImage
from shop.customs.models import Declaration, DeclarationReceipt, DeclarationStatus, DeclarationTaxLine
from shop.db import Base
from shop.inventory.models import ArrivalChannel, Location, Lot, MovementReason, StockMovement, Warehouse
from shop.jobs.models import Job, JobStatus
from shop.orders.models import (
                                Order,
                                OrderEvent,
                                OrderLine,
                                OrderStatus,
                                ReservationState,
                                ReturnDisposition,
                                ReturnRecord,
                                StockReservation,
)
from shop.payments.models import Payment, Refund, StripeEvent
from shop.settings import ShopSetting

__all__ = [
    "ApiToken", "AuditEntry", "Job", "JobStatus", "Location", "ShopSetting", "ReturnDisposition", "ReturnRecord",
    "Address", "BuyerIdentity", "Declaration", "DeclarationReceipt", "DeclarationStatus", "DeclarationTaxLine",
    "Order", "OrderEvent", "OrderLine",
    "OrderStatus", "Payment", "Refund", "ReservationState", "StockReservation", "StripeEvent",
    "ArrivalChannel", "Base", "Brand", "Cart", "CartItem", "Category", "ConsumptionTaxCategory", "Lot",
    "MovementReason", "NetContentUnit", "Product", "ProductImage", "Role", "StockMovement", "User", "Warehouse",
]
