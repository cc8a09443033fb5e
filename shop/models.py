"""Every model, imported in one place so that Alembic and the app see the whole schema."""

from shop.accounts.models import Role, User
from shop.cart.models import Cart, CartItem
from shop.catalog.models import Brand, Category, ConsumptionTaxCategory, NetContentUnit, Product, ProductImage
from shop.db import Base
from shop.inventory.models import ArrivalChannel, Lot, MovementReason, StockMovement, Warehouse

__all__ = [
    "ArrivalChannel", "Base", "Brand", "Cart", "CartItem", "Category", "ConsumptionTaxCategory", "Lot",
    "MovementReason", "NetContentUnit", "Product", "ProductImage", "Role", "StockMovement", "User", "Warehouse",
]
