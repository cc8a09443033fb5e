"""The demo catalogue as plain data: categories, brands, product kinds, products, warehouses, accounts.

Everything a shopper sees is here, readable as a table. Customs facts that must not drift (legal units)
are looked up in the HS table at seeding time rather than copied into this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.accounts.models import Role
from shop.catalog.models import ConsumptionTaxCategory as CT

# (role, email, password): printed by `flask seed`, so a tester can sign in with each role.
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    (Role.SHOPPER, "shopper@globalbuy.example", "shopper-demo-2026"),
    (Role.STAFF, "staff@globalbuy.example", "staff-demo-2026"),
    (Role.CLERK, "clerk@globalbuy.example", "clerk-demo-2026"),
    (Role.ADMIN, "admin@globalbuy.example", "admin-demo-2026"),
]
DEMO_NAMES = {Role.SHOPPER: "林晓雨", Role.STAFF: "陈立新", Role.CLERK: "赵文静", Role.ADMIN: "王建国"}

# (code, name_zh, name_en); the second is temperature-controlled (wine, chocolate, cosmetics).
WAREHOUSES: list[tuple[str, str, str]] = [
    ("XL-BW-01", "兴隆综保区保税仓一号库", "Xinglong bonded warehouse no. 1"),
    ("XL-BW-02", "兴隆综保区保税仓二号库（恒温）", "Xinglong bonded warehouse no. 2 (temperature-controlled)"),
]
GENERAL_WAREHOUSE, COOL_WAREHOUSE = "XL-BW-01", "XL-BW-02"

# (slug, parent slug, name_zh, name_en), parents before their children; the order is the menu order.
CATEGORIES: list[tuple[str, str | None, str, str]] = [
    ("milk-powder-baby-food", None, "奶粉与婴幼儿食品", "Milk powder & infant food"),
    ("infant-formula", "milk-powder-baby-food", "婴幼儿配方奶粉", "Infant formula"),
    ("adult-milk-powder", "milk-powder-baby-food", "成人奶粉", "Adult milk powder"),
    ("baby-food", "milk-powder-baby-food", "婴幼儿辅食", "Baby food"),
    ("health-supplements", None, "营养保健", "Health supplements"),
    ("vitamins", "health-supplements", "维生素与矿物质", "Vitamins & minerals"),
    ("fish-oil", "health-supplements", "鱼油", "Fish oil & omega-3"),
    ("wellness", "health-supplements", "功能营养", "Wellness"),
    ("skincare-cosmetics", None, "美妆护肤", "Skincare & cosmetics"),
    ("skincare", "skincare-cosmetics", "护肤", "Skincare"),
    ("makeup", "skincare-cosmetics", "彩妆", "Make-up"),
    ("fragrance", "skincare-cosmetics", "香水", "Fragrance"),
    ("personal-care", None, "个人洗护", "Personal care"),
    ("wine", None, "葡萄酒", "Wine"),
    ("red-wine", "wine", "红葡萄酒", "Red wine"),
    ("white-wine", "wine", "白葡萄酒", "White wine"),
    ("sparkling-wine", "wine", "起泡酒", "Sparkling wine"),
    ("chocolate-sweets", None, "巧克力与糖果", "Chocolate & sweets"),
    ("chocolate", "chocolate-sweets", "巧克力", "Chocolate"),
    ("sweets", "chocolate-sweets", "糖果", "Sweets"),
    ("nuts-snacks", None, "坚果零食", "Nuts & snacks"),
    ("nuts", "nuts-snacks", "坚果", "Nuts"),
    ("biscuits", "nuts-snacks", "饼干", "Biscuits"),
    ("dairy-honey", None, "乳制品与蜂蜜", "Dairy & honey"),
    ("baby-care", None, "母婴用品", "Baby care"),
    ("nappies", "baby-care", "纸尿裤", "Nappies"),
    ("feeding", "baby-care", "喂养餐具", "Feeding & tableware"),
    ("toys", "baby-care", "毛绒玩具", "Soft toys"),
    ("strollers", "baby-care", "婴儿推车", "Strollers"),
    ("bags", None, "箱包", "Bags"),
    ("handbags", "bags", "手提包", "Handbags"),
    ("luggage", "bags", "旅行箱", "Luggage"),
    ("wallets", "bags", "钱包卡包", "Wallets"),
    ("watches", None, "手表", "Watches"),
    ("small-appliances", None, "小家电", "Small appliances"),
    ("personal-care-appliances", "small-appliances", "个护电器", "Personal care appliances"),
    ("kitchen-appliances", "small-appliances", "厨房电器", "Kitchen appliances"),
    ("sunglasses", None, "太阳镜", "Sunglasses"),
]


@dataclass(frozen=True)
class BrandSpec:
    slug: str
    name: str
    name_zh: str
    origin: str  # 3-digit customs country code: every product of the brand comes from there
    color: str  # package colour on the generated product photos
    accent: str


# Fictional brands only.
BRANDS: list[BrandSpec] = [
    BrandSpec("alpenwiese", "Alpenwiese", "阿尔卑草原", "304", "#2e7d32", "#f2c14e"),
    BrandSpec("kiwimeadow", "Kiwimeadow", "奇异牧场", "609", "#1565c0", "#8bc34a"),
    BrandSpec("southcross", "Southcross Dairy", "南十字乳业", "601", "#0d2f6e", "#e0b040"),
    BrandSpec("polderveld", "Polderveld", "圩田牧场", "309", "#ef7d1a", "#1f4e8c"),
    BrandSpec("yamakaze", "Yamakaze", "山风食品", "116", "#e35d7a", "#ffffff"),
    BrandSpec("vitaroo", "Vitaroo", "维塔袋鼠", "601", "#ff7043", "#2e7d32"),
    BrandSpec("nordlys", "Nordlys", "北极光", "326", "#00838f", "#b2ebf2"),
    BrandSpec("maple-ridge", "Maple Ridge", "枫岭", "501", "#c62828", "#ffcdd2"),
    BrandSpec("lumelle", "Maison Lumelle", "露美尔之家", "305", "#b5838d", "#d4af37"),
    BrandSpec("dahye", "Dahye", "多惠", "133", "#7cb98a", "#2f5d3a"),
    BrandSpec("yukihana", "Yukihana", "雪花庭", "116", "#8fb8de", "#c0c0c8"),
    BrandSpec("glacialis", "Glacialis", "冰川纪", "331", "#1f9e93", "#e8f5f3"),
    BrandSpec("rosa-di-siena", "Rosa di Siena", "锡耶纳玫瑰", "307", "#a3154f", "#d4af37"),
    BrandSpec("olivar-del-sol", "Olivar del Sol", "橄榄阳光", "312", "#6d8b2f", "#f4e3a1"),
    BrandSpec("hallasan", "Hallasan Herb", "汉拿草本", "133", "#3e8e41", "#ffffff"),
    BrandSpec("belvigne", "Château Belvigne", "美葡庄园", "305", "#6a1b29", "#c9a44c"),
    BrandSpec("sierra-roja", "Bodega Sierra Roja", "红岭酒庄", "312", "#8e2430", "#e3c16f"),
    BrandSpec("collerosso", "Cantina Collerosso", "红丘酒庄", "307", "#7b1f3a", "#d8c690"),
    BrandSpec("kookaburra-flat", "Kookaburra Flat", "笑翠鸟谷", "601", "#5d2e1f", "#e0a458"),
    BrandSpec("moselhang", "Moselhang", "摩泽尔坡", "304", "#b8962e", "#1d3557"),
    BrandSpec("brenner", "Schokohaus Brenner", "布伦纳巧克力坊", "304", "#4e342e", "#e8c07d"),
    BrandSpec("cacao-lumiere", "Cacao Lumière", "光之可可", "331", "#2b1a14", "#d4af37"),
    BrandSpec("taiga", "Taiga Sladosti", "泰加甜品", "344", "#b71c1c", "#ffd54f"),
    BrandSpec("highland-larder", "Highland Larder", "高地食坊", "303", "#283593", "#c62828"),
    BrandSpec("sunvale", "Sunvale Orchards", "阳谷果园", "502", "#8d6e63", "#ffb300"),
    BrandSpec("byron-orchards", "Byron Orchards", "拜伦果园", "601", "#33691e", "#ffe082"),
    BrandSpec("kowhai-bay", "Kowhai Bay", "柯海湾", "609", "#f9a825", "#3e2723"),
    BrandSpec("altai-med", "Altai Med", "阿尔泰蜜坊", "344", "#e65100", "#fff3e0"),
    BrandSpec("fuwari", "Fuwari Baby", "芙瓦莉宝贝", "116", "#29b6f6", "#ffd54f"),
    BrandSpec("kinderleicht", "Kinderleicht", "轻松宝贝", "304", "#ffb300", "#1e88e5"),
    BrandSpec("arno", "Pelletteria Arno", "阿诺皮具", "307", "#8d5524", "#d4af37"),
    BrandSpec("verlaine", "Atelier Verlaine", "维兰工坊", "305", "#212121", "#d4af37"),
    BrandSpec("wanderkoffer", "Wanderkoffer", "漫游箱", "304", "#546e7a", "#ff7043"),
    BrandSpec("helvetor", "Helvetor", "赫维特", "331", "#1b2631", "#c0c0c8"),
    BrandSpec("montrelac", "Montrelac", "蒙特湖", "331", "#0b3d91", "#e0e0e0"),
    BrandSpec("sorahane", "Sorahane", "空羽", "116", "#263238", "#4fc3f7"),
    BrandSpec("elbwerk", "Elbwerk", "易北工坊", "304", "#37474f", "#ff8f00"),
    BrandSpec("caffe-vulcano", "Caffè Vulcano", "火山咖啡", "307", "#b71c1c", "#c0c0c8"),
    BrandSpec("solare-riviera", "Solare Riviera", "里维埃拉", "307", "#0277bd", "#d4af37"),
]

# ---------------------------------------------------------------------------------------------------------
# Product kinds: what products of one sort share (category, HS code, rates, photo shape, shelf life, copy).
# Description templates take {brand} {brand_zh} {country_en} {country_zh} {content_en} {content_zh}
# and the product's own note ({note_en} {note_zh}) as the middle sentence.


@dataclass(frozen=True)
class Kind:
    category: str
    hs: str
    unit: str  # transaction unit, JGS-20 code
    vat: str
    tariff: str  # MFN rate: only charged on the over-limit single item
    max_per_order: int
    shape: str  # drawing on the generated photo
    ahead: tuple[int, int] | None  # months of shelf life left on arrival; None for durable goods
    tare_kg: str  # packaging weight (gross - net)
    desc_zh: str
    desc_en: str
    tax: CT = CT.NONE
    piece_kg: str = "0.1"  # net weight of one piece, for goods counted in pieces
    cool: bool = False  # stored in the temperature-controlled warehouse


_FORMULA = (
    "{brand_zh}出品，原产{country_zh}，原装原罐进口，净含量{content_zh}。{note_zh}罐内附专用量勺，开罐后请在4周内食用完毕。",
    "Imported from {country_en} in its original can, net content {content_en}. {note_en} "
    "A measuring scoop is inside; use within four weeks of opening.",
)
_FORMULA_CUBES = (
    "{brand_zh}出品，原产{country_zh}，原装进口，净含量{content_zh}。{note_zh}开封后请置于干燥处，并在1个月内用完。",
    "Imported from {country_en}, net content {content_en}. {note_en} Keep dry once opened and use within a month.",
)
_MILK = (
    "{brand_zh}奶粉，原产{country_zh}，净含量{content_zh}。{note_zh}开封后请密封，存放于阴凉干燥处。",
    "Milk powder by {brand}, made in {country_en}, net content {content_en}. {note_en} "
    "Reseal after opening and keep in a cool, dry place.",
)
_BABY_FOOD = (
    "{brand_zh}婴幼儿辅食，原产{country_zh}，净含量{content_zh}。{note_zh}请在成人看护下喂食，开封后尽快吃完。",
    "Baby food by {brand} from {country_en}, net content {content_en}. {note_en} "
    "Always feed under adult supervision and finish soon after opening.",
)
_SUPPLEMENT = (
    "{brand_zh}膳食营养补充剂，原产{country_zh}，规格{content_zh}。{note_zh}本品不能代替药物，请按标签建议量食用。",
    "A dietary supplement by {brand}, made in {country_en}, {content_en} per pack. {note_en} "
    "Not a medicine: take as directed on the label.",
)
_SKINCARE = (
    "{brand_zh}护肤系列，原产{country_zh}，净含量{content_zh}。{note_zh}首次使用前请先在耳后做局部试用。",
    "Skincare by {brand} from {country_en}, net content {content_en}. {note_en} "
    "Patch-test behind the ear before first use.",
)
_MAKEUP = (
    "{brand_zh}彩妆，原产{country_zh}，净含量{content_zh}。{note_zh}保税仓恒温存放，出区前逐件核对批次。",
    "Make-up by {brand} from {country_en}, net content {content_en}. {note_en} "
    "Kept in our temperature-controlled bonded warehouse and checked lot by lot before dispatch.",
)
_PERFUME = (
    "{brand_zh}香氛，原产{country_zh}，容量{content_zh}。{note_zh}请远离明火，避免阳光直射。",
    "A fragrance by {brand} from {country_en}, {content_en}. {note_en} Keep away from flames and direct sunlight.",
)
_WASH = (
    "{brand_zh}个人洗护，原产{country_zh}，净含量{content_zh}。{note_zh}避免接触眼睛，如不慎入眼请用清水冲洗。",
    "Personal care by {brand} from {country_en}, net content {content_en}. {note_en} "
    "Avoid contact with the eyes; rinse with water if it happens.",
)
_TOOTHPASTE = (
    "{brand_zh}牙膏，原产{country_zh}，净含量{content_zh}。{note_zh}六岁以下儿童请在成人指导下使用豌豆大小的用量。",
    "Toothpaste by {brand} from {country_en}, net content {content_en}. {note_en} "
    "Children under six should use a pea-sized amount with an adult.",
)
_RED = (
    "{brand_zh}葡萄酒，原瓶进口自{country_zh}，容量{content_zh}。{note_zh}建议醒酒半小时，16–18℃饮用；未成年人请勿饮酒。",
    "Wine from {brand}, bottled in {country_en}, {content_en}. {note_en} "
    "Let it breathe for half an hour and serve at 16–18 °C; not for minors.",
)
_WHITE = (
    "{brand_zh}葡萄酒，原瓶进口自{country_zh}，容量{content_zh}。{note_zh}冰镇至8–10℃饮用风味最佳；未成年人请勿饮酒。",
    "Wine from {brand}, bottled in {country_en}, {content_en}. {note_en} Best chilled to 8–10 °C; not for minors.",
)
_SPARKLING = (
    "{brand_zh}起泡酒，原瓶进口自{country_zh}，容量{content_zh}。{note_zh}冰镇至6–8℃饮用，开瓶时瓶口请勿对人；未成年人请勿饮酒。",
    "Sparkling wine from {brand}, bottled in {country_en}, {content_en}. {note_en} "
    "Serve at 6–8 °C and never point the cork at anyone; not for minors.",
)
_CHOCOLATE = (
    "{brand_zh}巧克力，原产{country_zh}，净含量{content_zh}。{note_zh}请存放于18℃以下阴凉处，在保税仓内全程恒温储存。",
    "Chocolate by {brand}, made in {country_en}, net content {content_en}. {note_en} "
    "Keep below 18 °C; it stays in our temperature-controlled bonded warehouse until dispatch.",
)
_SWEETS = (
    "{brand_zh}糖果，原产{country_zh}，净含量{content_zh}。{note_zh}不适合三岁以下儿童食用。",
    "Sweets by {brand} from {country_en}, net content {content_en}. {note_en} Not suitable for children under three.",
)
_NUTS = (
    "{brand_zh}坚果，原产{country_zh}，净含量{content_zh}。{note_zh}开袋后请密封，置于阴凉干燥处保存。",
    "Nuts from {brand}, grown in {country_en}, net content {content_en}. {note_en} "
    "Reseal after opening and keep cool and dry.",
)
_BISCUITS = (
    "{brand_zh}饼干，原产{country_zh}，净含量{content_zh}。{note_zh}开封后请尽快食用，以保持酥脆口感。",
    "Biscuits by {brand} from {country_en}, net content {content_en}. {note_en} Best eaten soon after opening, while crisp.",
)
_HONEY = (
    "{brand_zh}天然蜂蜜，原产{country_zh}，净含量{content_zh}。{note_zh}低温下结晶属正常现象；一岁以下婴儿不宜食用。",
    "Natural honey from {brand}, {country_en}, net content {content_en}. {note_en} "
    "Crystallising in the cold is natural; not for babies under one year.",
)
_DAIRY = (
    "{brand_zh}乳制品，原产{country_zh}，净含量{content_zh}。{note_zh}开封后请冷藏并尽快食用。",
    "Dairy by {brand} from {country_en}, net content {content_en}. {note_en} Refrigerate after opening and use promptly.",
)
_NAPPIES = (
    "{brand_zh}纸尿裤，原产{country_zh}，每包{content_zh}。{note_zh}请根据宝宝体重选择尺码。",
    "Nappies by {brand}, made in {country_en}, {content_en} per pack. {note_en} Choose the size by your baby's weight.",
)
_FEEDING = (
    "{brand_zh}宝宝餐具，原产{country_zh}，每套{content_zh}。{note_zh}不含双酚A，可放入洗碗机清洗。",
    "Baby tableware by {brand} from {country_en}, {content_en} per set. {note_en} BPA-free and dishwasher-safe.",
)
_TOY = (
    "{brand_zh}毛绒玩具，原产{country_zh}。{note_zh}面料柔软，可手洗，适合0岁以上宝宝。",
    "A soft toy by {brand} from {country_en}. {note_en} Soft, hand-washable fabric, suitable from birth.",
)
_STROLLER = (
    "{brand_zh}婴儿推车，原产{country_zh}。{note_zh}适用于0–36个月宝宝，配五点式安全带。",
    "A stroller by {brand} from {country_en}. {note_en} For babies from birth to 36 months, with a five-point harness.",
)
_BAG = (
    "{brand_zh}出品，原产{country_zh}。{note_zh}附防尘袋与品牌吊牌。",
    "By {brand}, made in {country_en}. {note_en} Comes with a dust bag and the brand's tag.",
)
_LUGGAGE = (
    "{brand_zh}旅行箱，原产{country_zh}。{note_zh}四个360°静音万向轮，配TSA海关锁。",
    "Luggage by {brand} from {country_en}. {note_en} Four silent 360° spinner wheels and a TSA lock.",
)
_WATCH = (
    "{brand_zh}腕表，原产{country_zh}，石英机芯。{note_zh}附品牌保修卡，全球联保两年。",
    "A quartz watch by {brand}, made in {country_en}. {note_en} Two-year international warranty card included.",
)
_APPLIANCE = (
    "{brand_zh}小家电，原产{country_zh}。{note_zh}适用220伏电压，附中国标准插头。",
    "A small appliance by {brand} from {country_en}. {note_en} Made for 220 V, with a Chinese plug.",
)
_SUNGLASSES = (
    "{brand_zh}太阳镜，原产{country_zh}。{note_zh}UV400防护，附眼镜盒与擦拭布。",
    "Sunglasses by {brand} from {country_en}. {note_en} UV400 protection; case and cleaning cloth included.",
)

KINDS: dict[str, Kind] = {
    "infant_formula": Kind("infant-formula", "1901101000", "122", "0.13", "0.15", 6, "can", (12, 20), "0.25", *_FORMULA),
    "formula_cubes": Kind("infant-formula", "1901101000", "140", "0.13", "0.15", 6, "box", (10, 16), "0.12",
                          *_FORMULA_CUBES),
    "whole_milk": Kind("adult-milk-powder", "0402210000", "136", "0.13", "0.10", 6, "pouch", (10, 16), "0.05", *_MILK),
    "skim_milk": Kind("adult-milk-powder", "0402100000", "136", "0.13", "0.10", 6, "pouch", (10, 16), "0.05", *_MILK),
    "baby_food": Kind("baby-food", "1901109000", "140", "0.13", "0.15", 6, "box", (8, 14), "0.08", *_BABY_FOOD),
    "vitamins": Kind("vitamins", "2106909090", "142", "0.13", "0.12", 6, "pill_bottle", (14, 24), "0.06",
                     *_SUPPLEMENT, piece_kg="0.0012"),
    "wellness": Kind("wellness", "2106909090", "142", "0.13", "0.12", 6, "pill_bottle", (14, 24), "0.06",
                     *_SUPPLEMENT, piece_kg="0.0012"),
    "royal_jelly": Kind("wellness", "2106903090", "142", "0.13", "0.12", 6, "pill_bottle", (14, 24), "0.06",
                        *_SUPPLEMENT, piece_kg="0.0015"),
    "fish_oil": Kind("fish-oil", "1504200091", "142", "0.13", "0.12", 6, "pill_bottle", (14, 24), "0.08",
                     *_SUPPLEMENT, piece_kg="0.0016"),
    "serum": Kind("skincare", "3304990039", "142", "0.13", "0.01", 5, "dropper", (14, 30), "0.12", *_SKINCARE,
                  tax=CT.COSMETICS, cool=True),
    "lotion": Kind("skincare", "3304990039", "142", "0.13", "0.01", 5, "cosmetic_bottle", (14, 30), "0.08",
                   *_SKINCARE, tax=CT.COSMETICS, cool=True),
    "cream": Kind("skincare", "3304990029", "122", "0.13", "0.01", 5, "jar", (14, 30), "0.15", *_SKINCARE,
                  tax=CT.COSMETICS, cool=True),
    "mask": Kind("skincare", "3304990029", "140", "0.13", "0.01", 5, "box", (14, 30), "0.08", *_SKINCARE,
                 tax=CT.COSMETICS, piece_kg="0.03", cool=True),
    "lipstick": Kind("makeup", "3304100092", "012", "0.13", "0.01", 5, "lipstick", (18, 30), "0.04", *_MAKEUP,
                     tax=CT.COSMETICS, cool=True),
    "powder": Kind("makeup", "3304910000", "140", "0.13", "0.01", 5, "compact", (18, 30), "0.06", *_MAKEUP,
                   tax=CT.COSMETICS, cool=True),
    "cushion": Kind("makeup", "3304990029", "140", "0.13", "0.01", 5, "compact", (18, 30), "0.06", *_MAKEUP,
                    tax=CT.COSMETICS, cool=True),
    "perfume": Kind("fragrance", "3303000020", "142", "0.13", "0.03", 3, "perfume", (20, 36), "0.25", *_PERFUME,
                    tax=CT.COSMETICS, cool=True),
    "shampoo": Kind("personal-care", "3305100090", "142", "0.13", "0.03", 6, "cosmetic_bottle", (18, 30), "0.06",
                    *_WASH),
    "body_wash": Kind("personal-care", "3401300000", "142", "0.13", "0.06", 6, "cosmetic_bottle", (18, 30), "0.06",
                      *_WASH),
    "toothpaste": Kind("personal-care", "3306101090", "012", "0.13", "0.05", 10, "tube", (18, 30), "0.03",
                       *_TOOTHPASTE),
    "red_wine": Kind("red-wine", "2204210000", "142", "0.13", "0.14", 6, "wine_bottle", (24, 60), "0.55", *_RED,
                     tax=CT.WINE, cool=True),
    "white_wine": Kind("white-wine", "2204210000", "142", "0.13", "0.14", 6, "wine_bottle", (18, 36), "0.55",
                       *_WHITE, tax=CT.WINE, cool=True),
    "sparkling": Kind("sparkling-wine", "2204100000", "142", "0.13", "0.14", 6, "wine_bottle", (18, 36), "0.65",
                      *_SPARKLING, tax=CT.WINE, cool=True),
    "chocolate_bar": Kind("chocolate", "1806320000", "017", "0.13", "0.08", 10, "bar", (6, 12), "0.01",
                          *_CHOCOLATE, cool=True),
    "chocolate_box": Kind("chocolate", "1806310000", "140", "0.13", "0.08", 10, "box", (6, 12), "0.08",
                          *_CHOCOLATE, cool=True),
    "sweets": Kind("sweets", "1704900000", "136", "0.13", "0.10", 10, "pouch", (9, 18), "0.02", *_SWEETS),
    "walnuts": Kind("nuts", "0802320000", "136", "0.09", "0.20", 10, "pouch", (6, 12), "0.02", *_NUTS),
    "pistachios": Kind("nuts", "0802520000", "136", "0.09", "0.05", 10, "pouch", (6, 12), "0.02", *_NUTS),
    "macadamias": Kind("nuts", "0802620000", "136", "0.09", "0.12", 10, "pouch", (6, 12), "0.02", *_NUTS),
    "pine_nuts": Kind("nuts", "0802903090", "136", "0.09", "0.10", 10, "pouch", (6, 12), "0.02", *_NUTS),
    "biscuits": Kind("biscuits", "1905310000", "140", "0.13", "0.05", 10, "box", (6, 12), "0.08", *_BISCUITS),
    "honey": Kind("dairy-honey", "0409000000", "142", "0.09", "0.15", 6, "honey_jar", (18, 30), "0.25", *_HONEY),
    "evaporated": Kind("dairy-honey", "0402910000", "122", "0.13", "0.10", 12, "small_can", (10, 18), "0.06",
                       *_DAIRY),
    "condensed": Kind("dairy-honey", "0402990000", "122", "0.13", "0.10", 12, "small_can", (10, 18), "0.06",
                      *_DAIRY),
    "yoghurt": Kind("dairy-honey", "0403100000", "140", "0.13", "0.10", 4, "box", (3, 6), "0.3", *_DAIRY),
    "nappies": Kind("nappies", "9619001100", "125", "0.13", "0.02", 8, "nappy_pack", (24, 36), "0.15", *_NAPPIES,
                    piece_kg="0.03"),
    "tableware": Kind("feeding", "3924100000", "006", "0.13", "0.06", 5, "bowl", None, "0.15", *_FEEDING,
                      piece_kg="0.1"),
    "plush": Kind("toys", "9503002100", "007", "0.13", "0.05", 5, "plush", None, "0.1", *_TOY, piece_kg="0.35"),
    "stroller": Kind("strollers", "8715000010", "003", "0.13", "0.07", 1, "stroller", None, "2.0", *_STROLLER,
                     piece_kg="7.5"),
    "handbag": Kind("handbags", "4202210090", "007", "0.13", "0.06", 2, "handbag", None, "0.3", *_BAG,
                    piece_kg="0.9"),
    "tote": Kind("handbags", "4202220000", "007", "0.13", "0.06", 2, "tote", None, "0.2", *_BAG, piece_kg="0.6"),
    "suitcase": Kind("luggage", "4202121000", "007", "0.13", "0.10", 2, "suitcase", None, "0.5", *_LUGGAGE,
                     piece_kg="3.6"),
    "wallet": Kind("wallets", "4202310090", "007", "0.13", "0.06", 3, "wallet", None, "0.15", *_BAG,
                   piece_kg="0.15"),
    "watch": Kind("watches", "9102110000", "008", "0.13", "0.10", 2, "watch", None, "0.3", *_WATCH, tax=CT.WATCH,
                  piece_kg="0.09"),
    "hair_dryer": Kind("personal-care-appliances", "8516310000", "001", "0.13", "0.08", 3, "hair_dryer", None,
                       "0.4", *_APPLIANCE, piece_kg="0.6"),
    "shaver": Kind("personal-care-appliances", "8510100000", "001", "0.13", "0.08", 3, "shaver", None, "0.25",
                   *_APPLIANCE, piece_kg="0.2"),
    "toothbrush": Kind("personal-care-appliances", "8509809010", "001", "0.13", "0.08", 3, "toothbrush", None,
                       "0.2", *_APPLIANCE, piece_kg="0.15"),
    "coffee": Kind("kitchen-appliances", "8516713000", "001", "0.13", "0.08", 3, "coffee_machine", None, "1.2",
                   *_APPLIANCE, piece_kg="4.5"),
    "juicer": Kind("kitchen-appliances", "8509401000", "001", "0.13", "0.08", 3, "juicer", None, "1.0",
                   *_APPLIANCE, piece_kg="3.8"),
    "sunglasses": Kind("sunglasses", "9004100000", "019", "0.13", "0.05", 3, "sunglasses", None, "0.12",
                       *_SUNGLASSES, piece_kg="0.03"),
}


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    brand: str
    kind: str
    name_zh: str
    name_en: str
    label: str  # short Latin text printed on the package in the photo
    content: str  # "800 g", "750 ml", "12 × 200 g", "120 tablets", "1 piece"
    price: str
    note_zh: str
    note_en: str
    featured: bool = False
    published: bool = True
    positive: bool = True  # staff confirmed the HS code is on the positive list
    stock: str = "normal"  # normal | low (< 10 units) | none (no sellable lot)
    extra_lots: tuple[str, ...] = ()  # "expired" and/or "near" (within the near-expiry window): never sold
    unit: str | None = None
    shape: str | None = None
    tint: str | None = None  # product colour (leather, lipstick shade, plush) instead of the brand colour
    kg: str | None = None  # net weight of one unit, for goods counted in pieces


P = ProductSpec

PRODUCTS: list[ProductSpec] = [
    # -- milk powder & infant food ------------------------------------------------------------------------
    P("GB-MP-001", "alpenwiese", "infant_formula", "婴儿配方奶粉1段 800克", "Infant Formula Milk Powder Stage 1, 800 g",
      "Stage 1", "800 g", "298.00",
      "适合0–6月龄婴儿，以阿尔卑斯山区牧场奶源制成，添加DHA与乳铁蛋白。",
      "For babies from 0 to 6 months, made with milk from Alpine pastures, with added DHA and lactoferrin."),
    P("GB-MP-002", "alpenwiese", "infant_formula", "较大婴儿配方奶粉2段 800克",
      "Follow-on Formula Milk Powder Stage 2, 800 g", "Stage 2", "800 g", "288.00",
      "适合6–12月龄较大婴儿，添加铁与维生素D，帮助辅食期营养衔接。",
      "For babies from 6 to 12 months, with iron and vitamin D for the weaning months."),
    P("GB-MP-003", "alpenwiese", "infant_formula", "幼儿配方奶粉3段 800克", "Toddler Formula Milk Powder Stage 3, 800 g",
      "Stage 3", "800 g", "268.00",
      "适合12–36月龄幼儿，低糖配方。", "For toddlers from 12 to 36 months, with a lower-sugar recipe."),
    P("GB-MP-004", "kiwimeadow", "infant_formula", "A2 β-酪蛋白婴儿配方奶粉1段 900克",
      "A2 Beta-Casein Infant Formula Milk Powder Stage 1, 900 g", "A2 Stage 1", "900 g", "358.00",
      "奶源来自只产A2型β-酪蛋白的新西兰牧场奶牛，适合0–6月龄婴儿。",
      "Made with milk from New Zealand cows that produce only A2 beta-casein, for babies from 0 to 6 months.",
      featured=True),
    P("GB-MP-005", "kiwimeadow", "infant_formula", "A2 β-酪蛋白较大婴儿配方奶粉2段 900克",
      "A2 Beta-Casein Follow-on Formula Milk Powder Stage 2, 900 g", "A2 Stage 2", "900 g", "348.00",
      "适合6–12月龄较大婴儿，添加益生元低聚半乳糖。", "For babies from 6 to 12 months, with prebiotic GOS."),
    P("GB-MP-006", "kiwimeadow", "infant_formula", "A2 β-酪蛋白幼儿配方奶粉3段 900克",
      "A2 Toddler Milk Powder Stage 3, 900 g", "A2 Stage 3", "900 g", "328.00",
      "适合1–3岁幼儿，奶源来自草饲牧场。", "For toddlers aged 1 to 3, from grass-fed herds."),
    P("GB-MP-007", "southcross", "infant_formula", "婴儿配方奶粉1段 800克", "Infant Formula Milk Powder Stage 1, 800 g",
      "Stage 1", "800 g", "238.00",
      "适合0–6月龄婴儿，在澳大利亚本土工厂生产灌装。", "For babies from 0 to 6 months, made and canned in Australia."),
    P("GB-MP-008", "southcross", "infant_formula", "较大婴儿配方奶粉2段 800克",
      "Follow-on Formula Milk Powder Stage 2, 800 g", "Stage 2", "800 g", "228.00",
      "适合6–12月龄较大婴儿，添加叶黄素与核苷酸。", "For babies from 6 to 12 months, with lutein and nucleotides."),
    P("GB-MP-009", "southcross", "infant_formula", "幼儿配方奶粉3段 800克", "Toddler Formula Milk Powder Stage 3, 800 g",
      "Stage 3", "800 g", "218.00",
      "适合1–3岁幼儿，添加钙与维生素D3。", "For toddlers aged 1 to 3, with calcium and vitamin D3.", stock="none"),
    P("GB-MP-010", "polderveld", "infant_formula", "羊奶基婴儿配方奶粉1段 800克",
      "Goat Milk Infant Formula Milk Powder Stage 1, 800 g", "Goat Stage 1", "800 g", "368.00",
      "以荷兰家庭农场的羊奶为基础，口感温和，适合0–6月龄婴儿。",
      "Based on goat milk from Dutch family farms, gentle and suitable from 0 to 6 months."),
    P("GB-MP-011", "polderveld", "infant_formula", "羊奶基较大婴儿配方奶粉2段 800克",
      "Goat Milk Follow-on Formula Milk Powder Stage 2, 800 g", "Goat Stage 2", "800 g", "358.00",
      "适合6–12月龄较大婴儿，含天然乳脂与乳清蛋白。",
      "For babies from 6 to 12 months, with natural milk fat and whey protein."),
    P("GB-MP-012", "yamakaze", "infant_formula", "婴儿配方奶粉 800克", "Infant Formula Milk Powder, 800 g",
      "Baby Milk", "800 g", "268.00",
      "日本本土生产，参照母乳成分设计，适合0–12月龄婴儿。",
      "Made in Japan with a recipe modelled on breast milk, for babies from 0 to 12 months.", extra_lots=("near",)),
    P("GB-MP-013", "yamakaze", "formula_cubes", "婴儿配方奶粉便携块 27克×24块",
      "Infant Formula Milk Powder Cubes, 27 g × 24", "Cubes", "24 × 27 g", "168.00",
      "每块定量压制，外出冲调无需量勺，适合0–12月龄婴儿。",
      "Pre-measured pressed cubes, no scoop needed when out and about, for babies from 0 to 12 months."),
    P("GB-MP-014", "kiwimeadow", "whole_milk", "全脂奶粉 1千克", "Whole Milk Powder, 1 kg", "Whole Milk", "1000 g",
      "129.00", "以新西兰草饲牛奶喷雾干燥制成，冲饮或烘焙皆宜，全家适用。",
      "Spray-dried from New Zealand grass-fed milk, for drinking or baking, for the whole family."),
    P("GB-MP-015", "southcross", "skim_milk", "高钙脱脂奶粉 1千克", "High-calcium Skim Milk Powder, 1 kg", "Skim Milk",
      "1000 g", "119.00", "脂肪含量低于1.5%，额外添加钙，适合注重体重管理的成年人。",
      "Under 1.5% fat with added calcium, for adults watching their weight."),
    P("GB-MP-016", "alpenwiese", "whole_milk", "中老年高钙奶粉 800克", "Senior High-calcium Milk Powder, 800 g",
      "Senior", "800 g", "159.00", "添加维生素D与膳食纤维，适合50岁以上人群每日饮用。",
      "With vitamin D and dietary fibre, for daily use by adults over fifty.", unit="122", shape="can"),
    P("GB-MP-017", "yamakaze", "baby_food", "有机婴儿米粉 200克", "Organic Baby Rice Cereal, 200 g", "Rice Cereal",
      "200 g", "88.00", "适合6月龄以上宝宝的第一口辅食，仅用有机日本大米制成。",
      "A first food for babies from 6 months, made only from organic Japanese rice."),
    P("GB-MP-018", "alpenwiese", "baby_food", "婴儿燕麦米粉 250克", "Baby Oat & Rice Cereal, 250 g", "Oat Cereal",
      "250 g", "76.00", "燕麦与大米搭配，无添加糖，适合8月龄以上宝宝。",
      "Oats and rice with no added sugar, for babies from 8 months."),
    P("GB-MP-019", "kiwimeadow", "baby_food", "婴儿磨牙饼 100克", "Baby Teething Rusks, 100 g", "Rusks", "100 g",
      "49.00", "入口易化，方便宝宝小手抓握，适合10月龄以上。",
      "They melt easily and are easy for small hands to hold, from 10 months."),
    P("GB-MP-020", "yamakaze", "baby_food", "婴儿南瓜蔬菜粥 6袋装", "Baby Pumpkin & Vegetable Porridge, 6 pouches",
      "Porridge", "6 × 100 g", "78.00", "南瓜、胡萝卜与大米慢煮而成，开袋即食，适合7月龄以上。",
      "Pumpkin, carrot and rice, slow-cooked and ready to eat, from 7 months."),
    # -- health supplements -------------------------------------------------------------------------------
    P("GB-HS-001", "vitaroo", "vitamins", "维生素C咀嚼片 500毫克×120片", "Vitamin C 500 mg Chewable Tablets, 120 tablets",
      "Vitamin C", "120 tablets", "119.00", "天然橙子风味，每片含维生素C 500毫克，全家适用。",
      "Natural orange flavour with 500 mg of vitamin C per tablet, for the whole family."),
    P("GB-HS-002", "vitaroo", "vitamins", "女士复合维生素 60片", "Women's Multivitamin, 60 tablets", "Women's Multi",
      "60 tablets", "159.00", "含叶酸、铁与B族维生素，每日一片。",
      "With folic acid, iron and B vitamins; one tablet a day."),
    P("GB-HS-003", "vitaroo", "vitamins", "钙+维生素D3片 150片", "Calcium + Vitamin D3, 150 tablets", "Calcium + D3",
      "150 tablets", "139.00", "每日两片，帮助维持骨骼健康。", "Two tablets a day to help maintain healthy bones."),
    P("GB-HS-004", "maple-ridge", "vitamins", "儿童维生素D3滴剂 15毫升", "Kids' Vitamin D3 Drops, 15 ml", "D3 Drops",
      "15 ml", "99.00", "每滴含400国际单位维生素D3，可滴入奶液或辅食中。",
      "400 IU of vitamin D3 per drop; add it to milk or food.", shape="dropper"),
    P("GB-HS-005", "maple-ridge", "vitamins", "儿童复合维生素软糖 90粒", "Kids' Multivitamin Gummies, 90 gummies",
      "Kids Gummies", "90 gummies", "129.00", "水果口味，不含人工色素，适合3岁以上儿童。",
      "Fruit flavours with no artificial colours, for children aged 3 and up.", extra_lots=("expired",)),
    P("GB-HS-006", "maple-ridge", "vitamins", "叶黄素护眼软胶囊 60粒", "Lutein Eye Health Softgels, 60 softgels",
      "Lutein", "60 softgels", "189.00", "每粒含叶黄素20毫克与玉米黄质，适合长时间看屏幕的人群。",
      "20 mg of lutein with zeaxanthin per softgel, for long hours in front of screens."),
    P("GB-HS-007", "vitaroo", "wellness", "益生菌胶囊 300亿活菌 30粒", "Probiotic 30 Billion CFU, 30 capsules",
      "Probiotic", "30 capsules", "229.00", "十种菌株组合，无需冷藏，每日一粒。",
      "Ten strains, no refrigeration needed, one capsule a day.", featured=True),
    P("GB-HS-008", "maple-ridge", "wellness", "胶原蛋白肽粉 300克", "Collagen Peptide Powder, 300 g", "Collagen",
      "300 g", "269.00", "无味易溶，可加入咖啡或果汁，每日一勺。",
      "Unflavoured and dissolves easily in coffee or juice; one scoop a day.", shape="jar"),
    P("GB-HS-009", "vitaroo", "wellness", "蔓越莓精华胶囊 90粒", "Cranberry Extract, 90 capsules", "Cranberry",
      "90 capsules", "149.00", "每粒相当于25克新鲜蔓越莓，每日一粒。",
      "Each capsule equals 25 g of fresh cranberries; one a day."),
    P("GB-HS-010", "vitaroo", "royal_jelly", "蜂王浆胶囊 1000毫克×365粒", "Royal Jelly 1000 mg, 365 capsules",
      "Royal Jelly", "365 capsules", "299.00", "一年装，采自澳大利亚蜂场，每日一粒。",
      "A year's supply from Australian apiaries; one capsule a day."),
    P("GB-HS-011", "kowhai-bay", "royal_jelly", "新西兰蜂王浆软胶囊 180粒", "New Zealand Royal Jelly, 180 softgels",
      "Royal Jelly", "180 softgels", "199.00", "以冻干蜂王浆制成，半年装。",
      "Made from freeze-dried royal jelly, a six-month supply."),
    P("GB-HS-012", "nordlys", "fish_oil", "深海鱼油软胶囊 1000毫克×200粒", "Omega-3 Fish Oil 1000 mg, 200 softgels",
      "Omega-3", "200 softgels", "199.00", "取自北大西洋野生鱼类，经分子蒸馏纯化，无鱼腥味。",
      "From wild North Atlantic fish, molecularly distilled, with no fishy aftertaste."),
    P("GB-HS-013", "nordlys", "fish_oil", "三倍浓缩鱼油 120粒", "Triple-strength Omega-3, 120 softgels", "Triple Omega",
      "120 softgels", "259.00", "每粒含EPA与DHA共900毫克，每日一粒即可。",
      "900 mg of EPA and DHA per softgel; one a day is enough."),
    P("GB-HS-014", "nordlys", "fish_oil", "儿童鱼油咀嚼软胶囊 90粒", "Kids' Fish Oil Chewables, 90 softgels",
      "Kids Omega", "90 softgels", "169.00", "柠檬口味，可嚼服，适合4岁以上儿童。",
      "Lemon flavoured and chewable, for children aged 4 and up.", published=False),
    P("GB-HS-015", "nordlys", "fish_oil", "挪威三文鱼油软胶囊 180粒", "Norwegian Salmon Oil, 180 softgels",
      "Salmon Oil", "180 softgels", "189.00", "来自挪威峡湾养殖的三文鱼，富含天然虾青素。",
      "From salmon farmed in Norwegian fjords, rich in natural astaxanthin."),
    # -- skincare & cosmetics (the high-end line: 10 CNY per ml/g, 15 CNY per piece) -------------------------
    P("GB-SK-001", "lumelle", "serum", "焕颜修护精华液 50毫升", "Radiance Renewal Serum, 50 ml", "Serum", "50 ml",
      "800.00", "含3%烟酰胺与玫瑰干细胞提取物，改善暗沉，早晚使用。",
      "With 3% niacinamide and rose stem-cell extract to even out dull skin; use morning and evening.",
      featured=True),
    P("GB-SK-002", "lumelle", "lotion", "玫瑰保湿爽肤水 200毫升", "Rose Hydrating Toner, 200 ml", "Rose Toner",
      "200 ml", "168.00", "以格拉斯玫瑰花水为基底，不含酒精。", "Based on Grasse rose water, alcohol-free."),
    P("GB-SK-003", "lumelle", "serum", "夜间修护眼霜 15毫升", "Night Repair Eye Cream, 15 ml", "Eye Cream", "15 ml",
      "420.00", "质地轻盈，淡化细纹与黑眼圈，睡前点涂于眼周。",
      "A light texture that softens fine lines and dark circles; dab around the eyes at night.", shape="jar"),
    P("GB-SK-004", "dahye", "serum", "积雪草舒缓安瓶精华 30毫升", "Centella Calming Ampoule, 30 ml", "Centella",
      "30 ml", "189.00", "含积雪草提取物，舒缓泛红，适合敏感肌。",
      "Centella asiatica extract calms redness; suits sensitive skin."),
    P("GB-SK-005", "dahye", "cream", "玻尿酸保湿面霜 50克", "Hyaluronic Moisture Cream, 50 g", "Hyaluronic", "50 g",
      "159.00", "五重玻尿酸，清爽不粘腻，适合混合性肌肤。",
      "Five kinds of hyaluronic acid in a light, non-sticky cream for combination skin."),
    P("GB-SK-006", "dahye", "mask", "蜗牛修护面膜 10片", "Snail Repair Sheet Masks, 10 masks", "Snail Mask",
      "10 masks", "129.00", "每片含25毫升精华液，每周使用2–3次。",
      "25 ml of essence in every mask; use two or three times a week."),
    P("GB-SK-007", "yukihana", "lotion", "樱花精华水 150毫升", "Sakura Essence Lotion, 150 ml", "Sakura Essence",
      "150 ml", "298.00", "发酵樱花精华，洁面后第一步使用。",
      "Fermented cherry-blossom essence; the first step after cleansing."),
    P("GB-SK-008", "yukihana", "lotion", "高保湿乳液 120毫升", "Deep Moisture Emulsion, 120 ml", "Emulsion", "120 ml",
      "198.00", "含神经酰胺，秋冬干燥季节尤为适合。",
      "With ceramides; especially good in dry autumn and winter weather."),
    P("GB-SK-009", "yukihana", "lotion", "清爽防晒乳 SPF50+ PA++++ 60毫升", "Sunscreen Milk SPF50+ PA++++, 60 ml",
      "SPF50+", "60 ml", "168.00", "防水防汗，质地清爽，可作妆前使用。",
      "Water- and sweat-resistant with a light finish; works under make-up."),
    P("GB-SK-010", "yukihana", "cream", "奢养焕活面霜 30克", "Prestige Revitalising Cream, 30 g", "Prestige", "30 g",
      "1280.00", "蕴含白松露与金箔精华，晚间使用。", "With white truffle and gold-leaf extracts; for evening use."),
    P("GB-SK-011", "glacialis", "serum", "冰川水活肌精华 30毫升", "Glacier Water Booster Serum, 30 ml", "Booster",
      "30 ml", "560.00", "以瑞士冰川水为基底，迅速补水。", "Made with Swiss glacier water for instant hydration."),
    P("GB-SK-012", "glacialis", "serum", "细胞焕活面霜 50毫升", "Cellular Renewal Cream, 50 ml", "Renewal Cream",
      "50 ml", "1680.00", "含苹果干细胞提取物，提升肌肤弹性。", "With apple stem-cell extract to firm the skin.",
      shape="jar", stock="low"),
    P("GB-SK-013", "glacialis", "lotion", "雪绒花护手霜 75毫升", "Edelweiss Hand Cream, 75 ml", "Hand Cream", "75 ml",
      "89.00", "快速吸收，不油腻，适合干燥的北方冬天。",
      "Absorbs quickly without feeling greasy, made for dry northern winters.", shape="tube"),
    P("GB-SK-014", "lumelle", "lotion", "乳木果身体乳 400毫升", "Shea Body Lotion, 400 ml", "Body Lotion", "400 ml",
      "129.00", "乳木果油深层滋润，带淡雅花香。", "Shea butter for deep moisture, with a soft floral scent."),
    P("GB-SK-015", "dahye", "mask", "黄金蚕丝面膜 5片", "Gold Silk Sheet Masks, 5 masks", "Gold Mask", "5 masks",
      "199.00", "蚕丝膜布贴合度高，适合重要场合前急救使用。",
      "A silk sheet that fits closely, for a quick boost before a big day.", stock="none"),
    P("GB-SK-016", "lumelle", "serum", "维C亮白精华 30毫升", "Vitamin C Brightening Serum, 30 ml", "Vitamin C",
      "30 ml", "459.00", "15%稳定型维生素C，建议晚间使用，白天注意防晒。",
      "15% stabilised vitamin C; use at night and wear sunscreen by day."),
    P("GB-MU-001", "rosa-di-siena", "lipstick", "丝绒哑光口红 05号 3.5克", "Velvet Matte Lipstick No. 05, 3.5 g",
      "Velluto 05", "3.5 g", "260.00", "经典砖红色，哑光丝绒质地，持妆不拔干。",
      "A classic brick red with a velvety matte finish that stays comfortable.", tint="#9e1b32"),
    P("GB-MU-002", "rosa-di-siena", "lipstick", "缎光滋润口红 12号 3.5克", "Satin Lipstick No. 12, 3.5 g",
      "Satin 12", "3.5 g", "260.00", "玫瑰豆沙色，缎面光泽，日常百搭。",
      "A rosy nude with a satin sheen for every day.", tint="#c2415d"),
    P("GB-MU-003", "lumelle", "lipstick", "有色润唇膏 4.5克", "Tinted Lip Balm, 4.5 g", "Lip Balm", "4.5 g", "29.00",
      "含乳木果油，带淡淡的珊瑚色。", "With shea butter and a sheer coral tint.", tint="#e07a6a"),
    P("GB-MU-004", "yukihana", "powder", "丝滑蜜粉饼 12克", "Silk Pressed Powder, 12 g", "Silk Powder", "12 g",
      "238.00", "粉质细腻，控油持妆，附粉扑与镜子。", "Fine and oil-controlling, with a puff and mirror."),
    P("GB-MU-005", "dahye", "cushion", "水光气垫粉底 21号 15克", "Dewy Cushion Foundation No. 21, 15 g", "Cushion 21",
      "15 g", "198.00", "轻薄水润，遮瑕自然，附替换装粉扑。",
      "Light and dewy with natural coverage; a spare puff is included."),
    P("GB-PF-001", "rosa-di-siena", "perfume", "托斯卡纳玫瑰淡香精 50毫升", "Tuscan Rose Eau de Parfum, 50 ml",
      "Rosa Toscana", "50 ml", "680.00", "前调佛手柑，中调大马士革玫瑰，后调檀香。",
      "Bergamot opening onto Damask rose, with a sandalwood base.", featured=True),
    P("GB-PF-002", "rosa-di-siena", "perfume", "西西里柑橘淡香水 100毫升", "Sicilian Citrus Eau de Toilette, 100 ml",
      "Agrumi", "100 ml", "520.00", "柠檬与橙花的清新气息，适合夏日。",
      "Fresh lemon and orange blossom for summer days."),
    P("GB-PF-003", "lumelle", "perfume", "白茶淡香水 30毫升", "White Tea Eau de Toilette, 30 ml", "Thé Blanc", "30 ml",
      "230.00", "白茶与无花果叶，清淡宜人，适合通勤。", "White tea and fig leaf, light enough for the office."),
    P("GB-PF-004", "lumelle", "perfume", "夜幕鸢尾香精 50毫升", "Iris Nocturne Parfum, 50 ml", "Iris Nocturne",
      "50 ml", "980.00", "鸢尾根与琥珀交织的粉感木质调，留香持久。",
      "A powdery woody blend of orris root and amber that lasts.", stock="low"),
    P("GB-PF-005", "glacialis", "perfume", "阿尔卑雪松古龙水 125毫升", "Alpine Cedar Cologne, 125 ml", "Cedar",
      "125 ml", "390.00", "雪松与杜松子的清冽木质调，适合男士。", "Crisp cedar and juniper, a woody scent for men."),
    # -- personal care ------------------------------------------------------------------------------------
    P("GB-PC-001", "olivar-del-sol", "shampoo", "特级初榨橄榄油洗发水 500毫升", "Extra Virgin Olive Oil Shampoo, 500 ml",
      "Olive Shampoo", "500 ml", "69.00", "适合干性及受损发质，洗后柔顺不毛躁。",
      "For dry and damaged hair; leaves it soft and frizz-free."),
    P("GB-PC-002", "olivar-del-sol", "shampoo", "无硅油修护洗发水 400毫升", "Silicone-free Repair Shampoo, 400 ml",
      "Repair", "400 ml", "79.00", "温和氨基酸表活，适合每日使用。",
      "Mild amino-acid cleansers, gentle enough for daily use."),
    P("GB-PC-003", "olivar-del-sol", "body_wash", "橄榄沐浴露 750毫升", "Olive Shower Gel, 750 ml", "Shower Gel",
      "750 ml", "65.00", "家庭装，泡沫丰富，带淡淡的地中海草本香。",
      "A family-size bottle with a rich lather and a light Mediterranean herbal scent."),
    P("GB-PC-004", "hallasan", "toothpaste", "草本清新牙膏 120克", "Herbal Fresh Toothpaste, 120 g", "Herbal", "120 g",
      "39.00", "含绿茶与薄荷提取物，清新口气。", "With green tea and mint extracts for fresh breath."),
    P("GB-PC-005", "hallasan", "toothpaste", "竹盐牙膏 160克", "Bamboo Salt Toothpaste, 160 g", "Bamboo Salt",
      "160 g", "35.00", "韩式竹盐配方，呵护牙龈。", "A Korean bamboo-salt recipe that cares for the gums."),
    P("GB-PC-006", "hallasan", "body_wash", "绿茶泡沫洁面乳 150毫升", "Green Tea Foaming Cleanser, 150 ml",
      "Green Tea", "150 ml", "79.00", "泡沫绵密，洗后不紧绷。",
      "A dense foam that leaves skin comfortable, not tight."),
    P("GB-PC-007", "dahye", "body_wash", "氨基酸温和洁面乳 120毫升", "Amino Acid Gentle Cleanser, 120 ml",
      "Amino Cleanser", "120 ml", "89.00", "弱酸性配方，适合敏感肌早晚使用。",
      "A low-pH formula for sensitive skin, morning and evening."),
    P("GB-PC-008", "hallasan", "shampoo", "红参强韧洗发水 500毫升", "Red Ginseng Strengthening Shampoo, 500 ml",
      "Red Ginseng", "500 ml", "99.00", "添加高丽红参提取物，强韧发根。",
      "Korean red ginseng extract to strengthen hair at the root."),
    P("GB-PC-009", "glacialis", "body_wash", "敏感肌温和沐浴露 400毫升", "Sensitive Skin Body Wash, 400 ml",
      "Sensitive", "400 ml", "129.00", "无香精配方，婴幼儿与敏感肌均可使用。",
      "Fragrance-free, suitable for babies and sensitive skin."),
    # -- wine ---------------------------------------------------------------------------------------------
    P("GB-WN-001", "belvigne", "red_wine", "波尔多超级干红葡萄酒 2019 750毫升", "Bordeaux Supérieur Red Wine 2019, 750 ml",
      "Bordeaux 2019", "750 ml", "299.00", "梅洛与赤霞珠混酿，橡木桶陈酿12个月，果香浓郁。",
      "A Merlot and Cabernet Sauvignon blend aged 12 months in oak, generous and fruity.", featured=True),
    P("GB-WN-002", "belvigne", "red_wine", "圣埃美隆特级园干红葡萄酒 2016 750毫升", "Saint-Émilion Grand Cru Red Wine 2016, 750 ml",
      "St-Émilion 2016", "750 ml", "680.00", "以梅洛为主，单宁细腻，可陈放十年以上。",
      "Merlot-led with fine tannins; it will keep for ten years or more."),
    P("GB-WN-003", "belvigne", "white_wine", "波尔多干白葡萄酒 2021 750毫升", "Bordeaux Blanc White Wine 2021, 750 ml",
      "Blanc 2021", "750 ml", "168.00", "长相思与赛美蓉混酿，清爽，带柑橘香气。",
      "Sauvignon Blanc and Sémillon, crisp with citrus notes."),
    P("GB-WN-004", "sierra-roja", "red_wine", "里奥哈珍藏干红葡萄酒 2018 750毫升", "Rioja Reserva Red Wine 2018, 750 ml",
      "Reserva 2018", "750 ml", "228.00", "丹魄葡萄酿造，美国橡木桶陈酿，带香草与烟熏气息。",
      "Tempranillo aged in American oak, with vanilla and smoky notes."),
    P("GB-WN-005", "sierra-roja", "red_wine", "丹魄新酿干红葡萄酒 2022 750毫升", "Tempranillo Joven Red Wine 2022, 750 ml",
      "Joven 2022", "750 ml", "98.00", "未经橡木桶，果味鲜活，适合日常佐餐。",
      "Unoaked and full of fresh fruit; an everyday dinner wine."),
    P("GB-WN-006", "sierra-roja", "sparkling", "卡瓦天然起泡酒 750毫升", "Cava Brut Nature Sparkling Wine, 750 ml", "Cava Brut",
      "750 ml", "128.00", "传统法瓶内二次发酵，气泡细腻。",
      "Made by second fermentation in the bottle, with fine bubbles."),
    P("GB-WN-007", "collerosso", "red_wine", "经典基安蒂干红葡萄酒 2019 750毫升", "Chianti Classico Red Wine 2019, 750 ml",
      "Chianti 2019", "750 ml", "198.00", "桑娇维塞酿造，酸度明亮，适合搭配意面与红肉。",
      "Sangiovese with bright acidity, for pasta and red meat."),
    P("GB-WN-008", "collerosso", "red_wine", "阿玛罗尼干红葡萄酒 2016 750毫升", "Amarone della Valpolicella Red Wine 2016, 750 ml",
      "Amarone 2016", "750 ml", "880.00", "以风干葡萄酿造，酒体饱满，带干果与巧克力风味。",
      "Made from dried grapes; full-bodied with dried fruit and chocolate flavours.", stock="none"),
    P("GB-WN-009", "collerosso", "sparkling", "普洛赛克起泡酒 750毫升", "Prosecco DOC Extra Dry Sparkling Wine, 750 ml", "Prosecco",
      "750 ml", "138.00", "格雷拉葡萄酿造，带青苹果与梨的清香。", "Glera grapes with green apple and pear aromas."),
    P("GB-WN-010", "collerosso", "white_wine", "阿斯蒂莫斯卡托甜白葡萄酒 2022 750毫升", "Moscato d'Asti Sweet White Wine 2022, 750 ml",
      "Moscato 2022", "750 ml", "118.00", "微起泡，酒精度低，带甜美的桃子与花香。",
      "Lightly sparkling and low in alcohol, with sweet peach and floral notes."),
    P("GB-WN-011", "kookaburra-flat", "red_wine", "巴罗萨设拉子干红葡萄酒 2019 750毫升", "Barossa Shiraz Red Wine 2019, 750 ml",
      "Shiraz 2019", "750 ml", "258.00", "浓郁的黑莓与胡椒风味，酒体饱满。", "Rich blackberry and pepper, full-bodied."),
    P("GB-WN-012", "kookaburra-flat", "red_wine", "赤霞珠梅洛干红葡萄酒 2021 750毫升", "Cabernet Merlot Red Wine 2021, 750 ml",
      "Cab Merlot 2021", "750 ml", "128.00", "柔顺易饮，适合烧烤与家常菜。",
      "Smooth and easy to drink, for barbecues and home cooking."),
    P("GB-WN-013", "kookaburra-flat", "white_wine", "霞多丽干白葡萄酒 2022 750毫升", "Chardonnay White Wine 2022, 750 ml",
      "Chardonnay 2022", "750 ml", "148.00", "带热带水果与淡淡的奶油香气。", "Tropical fruit with a light creamy note."),
    P("GB-WN-014", "moselhang", "white_wine", "摩泽尔雷司令珍藏半干白葡萄酒 2021 750毫升",
      "Mosel Riesling Kabinett White Wine 2021, 750 ml", "Riesling 2021", "750 ml", "188.00",
      "生长于板岩土壤，酸甜平衡，带青柠与白桃香气。",
      "Grown on slate, balancing sweetness and acidity with lime and white peach."),
    P("GB-WN-015", "moselhang", "sparkling", "雷司令起泡酒 750毫升", "Riesling Sekt Brut Sparkling Wine, 750 ml", "Sekt Brut",
      "750 ml", "168.00", "清爽的德国起泡酒，适合作为开胃酒。", "A crisp German sparkling wine, ideal as an aperitif."),
    # -- chocolate & sweets -------------------------------------------------------------------------------
    P("GB-CH-001", "brenner", "chocolate_bar", "70%黑巧克力 100克", "Dark Chocolate 70% Cocoa, 100 g", "70% Dark",
      "100 g", "29.90", "选用加纳可可豆，微苦回甘。",
      "Made with Ghanaian cocoa beans, gently bitter with a sweet finish."),
    P("GB-CH-002", "brenner", "chocolate_bar", "整颗榛子牛奶巧克力 100克", "Whole Hazelnut Milk Chocolate, 100 g",
      "Hazelnut", "100 g", "32.90", "每块都嵌满整颗烘烤榛子。", "Packed with whole roasted hazelnuts."),
    P("GB-CH-003", "brenner", "chocolate_box", "杏仁膏夹心巧克力礼盒 200克", "Marzipan Chocolate Gift Box, 200 g",
      "Marzipan", "200 g", "89.00", "传统杏仁膏外裹黑巧克力，节日送礼佳品。",
      "Traditional marzipan coated in dark chocolate, a festive gift."),
    P("GB-CH-004", "cacao-lumiere", "chocolate_box", "松露巧克力精选礼盒 16颗 200克",
      "Chocolate Truffle Selection, 16 pieces, 200 g", "Truffes", "200 g", "168.00",
      "四种口味的手工松露巧克力，入口即化。", "Four flavours of handmade truffles that melt in the mouth.",
      featured=True),
    P("GB-CH-005", "cacao-lumiere", "chocolate_bar", "瑞士牛奶巧克力 100克", "Swiss Milk Chocolate, 100 g", "Milk",
      "100 g", "35.00", "阿尔卑斯牛奶与可可脂，口感丝滑。", "Alpine milk and cocoa butter for a silky texture."),
    P("GB-CH-006", "cacao-lumiere", "chocolate_bar", "85%特浓黑巧克力 100克", "Extra Dark Chocolate 85%, 100 g",
      "85% Dark", "100 g", "38.00", "低糖高可可含量，黑巧爱好者之选。",
      "Low in sugar and high in cocoa, for dark chocolate lovers."),
    P("GB-CH-007", "taiga", "chocolate_box", "俄罗斯威化夹心巧克力糖 500克", "Russian Wafer Praline Chocolates, 500 g",
      "Praline", "500 g", "59.00", "经典俄式威化夹心，外裹巧克力，独立包装。",
      "Classic Russian wafer pralines coated in chocolate, individually wrapped.", unit="136", shape="pouch"),
    P("GB-CH-008", "taiga", "chocolate_bar", "俄罗斯黑巧克力 72% 90克", "Russian Dark Chocolate 72%, 90 g",
      "Dark 72%", "90 g", "19.90", "经中欧班列直达长春，口感醇厚。",
      "Brought straight to Changchun by China–Europe rail, with a deep flavour.", extra_lots=("expired",)),
    P("GB-SW-001", "taiga", "sweets", "俄罗斯牛奶太妃糖 250克", "Russian Milk Toffee, 250 g", "Toffee", "250 g",
      "29.90", "以炼乳熬制，奶香浓郁，独立小包装。", "Made with condensed milk, rich and creamy, individually wrapped."),
    P("GB-SW-002", "brenner", "sweets", "水果小熊软糖 300克", "Fruit Gummy Bears, 300 g", "Gummy Bears", "300 g",
      "25.90", "六种水果口味，采用真实果汁。", "Six fruit flavours made with real fruit juice.",
      extra_lots=("expired",)),
    P("GB-SW-003", "highland-larder", "sweets", "苏格兰黄油奶糖 150克", "Scottish Butter Tablet, 150 g", "Tablet",
      "150 g", "35.00", "苏格兰传统配方，香甜酥松。", "A traditional Scottish recipe, sweet and crumbly.", unit="140",
      shape="box"),
    P("GB-SW-004", "cacao-lumiere", "sweets", "瑞士草本润喉糖 75克", "Swiss Herbal Drops, 75 g", "Herbal Drops",
      "75 g", "22.00", "十三种阿尔卑斯草本，清凉润喉。", "Thirteen Alpine herbs, cool and soothing.", unit="140",
      shape="box"),
    P("GB-SW-005", "yamakaze", "sweets", "水果硬糖铁盒装 180克", "Fruit Drops in a Tin, 180 g", "Fruit Drops",
      "180 g", "39.00", "复古铁盒，八种水果口味。", "A vintage-style tin with eight fruit flavours.", unit="122",
      shape="small_can"),
    # -- nuts & snacks ------------------------------------------------------------------------------------
    P("GB-NT-001", "sunvale", "walnuts", "加州去壳核桃仁 454克", "California Walnut Halves, 454 g", "Walnuts", "454 g",
      "59.00", "浅色半瓣核桃仁，可直接食用或用于烘焙。", "Light halves to eat as they are or bake with."),
    P("GB-NT-002", "sunvale", "pistachios", "开心果仁 300克", "Pistachio Kernels, 300 g", "Pistachio", "300 g",
      "89.00", "加州出产，颗粒饱满，可直接食用。", "From California, plump and ready to eat."),
    P("GB-NT-003", "sunvale", "macadamias", "夏威夷果仁 340克", "Hawaiian Macadamia Nuts, 340 g", "Macadamia",
      "340 g", "79.00", "种植于夏威夷火山土壤，颗粒完整饱满。", "Grown in Hawaiian volcanic soil, plump and whole."),
    P("GB-NT-004", "sunvale", "walnuts", "烘焙用核桃碎 454克", "Walnut Pieces for Baking, 454 g", "Walnut Pieces",
      "454 g", "49.00", "适合烘焙与搭配早餐燕麦。", "For baking and breakfast oats."),
    P("GB-NT-005", "byron-orchards", "macadamias", "澳洲夏威夷果仁 250克", "Australian Macadamia Kernels, 250 g",
      "Macadamia", "250 g", "88.00", "新南威尔士州北部果园直供，颗粒完整。",
      "Whole kernels straight from orchards in northern New South Wales."),
    P("GB-NT-006", "byron-orchards", "pistachios", "生开心果仁 200克", "Raw Pistachio Kernels, 200 g", "Pistachio",
      "200 g", "69.00", "未经烘烤的翠绿果仁，适合制作甜点。", "Unroasted bright green kernels, for desserts."),
    P("GB-NT-007", "byron-orchards", "macadamias", "夏威夷果仁碎 500克", "Macadamia Pieces, 500 g", "Macadamia Bits",
      "500 g", "99.00", "适合烘焙或搭配酸奶。", "For baking or sprinkling on yoghurt."),
    # Its positive-list line is not confirmed yet, so it cannot be published: shown nowhere, sold never.
    P("GB-NT-008", "taiga", "pine_nuts", "西伯利亚松子仁 250克", "Siberian Pine Nut Kernels, 250 g", "Pine Nuts",
      "250 g", "98.00", "采自西伯利亚雪松林，手工去壳。", "Gathered in Siberian cedar forests and shelled by hand.",
      positive=False, published=False),
    P("GB-NT-009", "sunvale", "pistachios", "开心果仁家庭装 907克", "Pistachio Kernels Family Pack, 907 g",
      "Family Pack", "907 g", "159.00", "两磅家庭装，分享更划算。", "A two-pound family pack, better value for sharing."),
    P("GB-BS-001", "highland-larder", "biscuits", "苏格兰黄油酥饼 300克 铁盒装", "Scottish Butter Shortbread, 300 g tin",
      "Shortbread", "300 g", "58.00", "只用黄油、面粉与糖三种原料，铁盒装便于送礼。",
      "Just butter, flour and sugar, in a tin that makes a good gift.", featured=True),
    P("GB-BS-002", "highland-larder", "biscuits", "燕麦消化饼 400克", "Oat Digestive Biscuits, 400 g", "Digestives",
      "400 g", "29.90", "全麦与燕麦烘烤而成，搭配红茶最相宜。",
      "Baked with wholemeal flour and oats; perfect with a cup of tea.", stock="none", extra_lots=("expired",)),
    P("GB-BS-003", "polderveld", "biscuits", "焦糖华夫饼 8片 250克", "Caramel Stroopwafels, 8 pieces, 250 g",
      "Stroopwafel", "250 g", "35.00", "荷兰传统焦糖夹心，放在热饮杯口稍加温热更美味。",
      "The Dutch classic with a caramel filling; warm one over a hot drink.", stock="none", extra_lots=("near",)),
    P("GB-BS-004", "brenner", "biscuits", "黄油曲奇礼罐 500克", "Butter Cookie Assortment Tin, 500 g",
      "Butter Cookies", "500 g", "79.00", "五种造型曲奇，黄油含量高。", "Five shapes of cookies, rich in butter.",
      unit="122", shape="small_can"),
    P("GB-BS-005", "brenner", "biscuits", "牛奶巧克力黄油饼干 125克", "Milk Chocolate Butter Biscuits, 125 g",
      "Choco Biscuits", "125 g", "19.90", "黄油饼干上覆盖一整片牛奶巧克力。",
      "Butter biscuits topped with a whole layer of milk chocolate."),
    P("GB-BS-006", "yamakaze", "biscuits", "抹茶夹心饼干 12枚", "Matcha Cream Biscuits, 12 pieces", "Matcha",
      "156 g", "45.00", "宇治抹茶夹心，茶香浓郁。", "Filled with Uji matcha cream, with a deep tea flavour."),
    # -- dairy & honey ------------------------------------------------------------------------------------
    P("GB-HN-001", "kowhai-bay", "honey", "麦卢卡蜂蜜 UMF10+ 250克", "Manuka Honey UMF 10+, 250 g", "UMF 10+", "250 g",
      "268.00", "经活性等级认证的新西兰麦卢卡蜂蜜，可直接食用或温水冲调。",
      "Graded New Zealand mānuka honey, by the spoon or stirred into warm water.", featured=True),
    P("GB-HN-002", "kowhai-bay", "honey", "麦卢卡蜂蜜 UMF15+ 250克", "Manuka Honey UMF 15+, 250 g", "UMF 15+", "250 g",
      "458.00", "更高活性等级，口感浓郁，带焦糖香。", "A higher activity grade with a rich, caramel-like taste.",
      stock="none"),
    P("GB-HN-003", "kowhai-bay", "honey", "三叶草蜂蜜 500克", "Clover Honey, 500 g", "Clover", "500 g", "79.00",
      "新西兰南岛三叶草花蜜，口感清甜。", "Clover nectar from New Zealand's South Island, light and sweet."),
    P("GB-HN-004", "altai-med", "honey", "阿尔泰山百花蜜 500克", "Altai Wildflower Honey, 500 g", "Wildflower",
      "500 g", "69.00", "采自阿尔泰山区野花，随中欧班列运抵。",
      "From wildflowers in the Altai mountains, brought in by China–Europe rail."),
    P("GB-HN-005", "altai-med", "honey", "西伯利亚椴树蜜 1千克", "Siberian Linden Honey, 1 kg", "Linden", "1000 g",
      "119.00", "椴树花蜜，结晶细腻，呈乳白色。", "Linden blossom honey that crystallises fine and creamy white.",
      stock="low"),
    P("GB-HN-006", "altai-med", "honey", "荞麦蜂蜜 500克", "Buckwheat Honey, 500 g", "Buckwheat", "500 g", "72.00",
      "颜色深，风味浓，富含矿物质。", "Dark and full-flavoured, rich in minerals."),
    P("GB-HN-007", "polderveld", "evaporated", "淡炼乳 410克", "Evaporated Milk, 410 g", "Evaporated", "410 g",
      "15.90", "荷兰奶源，适合调制奶茶与咖啡。", "Dutch milk, good in milk tea and coffee."),
    P("GB-HN-008", "polderveld", "condensed", "甜炼乳 397克", "Sweetened Condensed Milk, 397 g", "Condensed",
      "397 g", "16.90", "可直接蘸食，也可用于烘焙甜点。", "For dipping, or for baking desserts."),
    P("GB-HN-009", "alpenwiese", "yoghurt", "常温原味酸奶 200克×12盒", "Ambient Natural Yoghurt, 12 × 200 g",
      "Joghurt", "12 × 200 g", "89.00", "无需冷藏的巴氏杀菌酸奶，方便囤货与出行。",
      "Pasteurised yoghurt that needs no fridge, handy for the pantry and for travel.", extra_lots=("near",)),
    P("GB-HN-010", "kiwimeadow", "yoghurt", "常温草莓酸奶 200克×10盒", "Ambient Strawberry Yoghurt, 10 × 200 g",
      "Strawberry", "10 × 200 g", "79.00", "添加真实草莓果粒，常温保存。",
      "With real strawberry pieces, kept at room temperature."),
    # -- baby care ----------------------------------------------------------------------------------------
    P("GB-BC-001", "fuwari", "nappies", "婴儿纸尿裤 NB码 90片", "Baby Nappies Size NB, 90 nappies", "NB 90",
      "90 nappies", "139.00", "适合5公斤以下新生儿，脐带护理设计。",
      "For newborns up to 5 kg, with a cut-out for the umbilical cord.", featured=True),
    P("GB-BC-002", "fuwari", "nappies", "婴儿纸尿裤 M码 64片", "Baby Nappies Size M, 64 nappies", "M 64",
      "64 nappies", "139.00", "适合6–11公斤宝宝，表层透气柔软。",
      "For babies of 6 to 11 kg, with a soft breathable top sheet."),
    P("GB-BC-003", "fuwari", "nappies", "婴儿拉拉裤 L码 44片", "Baby Pull-up Pants Size L, 44 pants", "L 44",
      "44 pants", "129.00", "适合9–14公斤宝宝，穿脱方便，适合学步期。",
      "For babies of 9 to 14 kg; easy on and off for toddlers on the move."),
    P("GB-BC-004", "fuwari", "nappies", "婴儿拉拉裤 XL码 38片", "Baby Pull-up Pants Size XL, 38 pants", "XL 38",
      "38 pants", "129.00", "适合12–17公斤宝宝，夜间防漏。", "For babies of 12 to 17 kg, with overnight leak protection."),
    P("GB-BC-005", "kinderleicht", "nappies", "超薄纸尿裤 S码 72片", "Ultra-thin Nappies Size S, 72 nappies", "S 72",
      "72 nappies", "119.00", "适合4–8公斤宝宝，经皮肤科测试。", "For babies of 4 to 8 kg, dermatologically tested."),
    P("GB-BC-006", "kinderleicht", "nappies", "夜用纸尿裤 XL码 34片", "Overnight Nappies Size XL, 34 nappies",
      "XL Night", "34 nappies", "119.00", "加厚吸收芯，整夜干爽。", "An extra-absorbent core that stays dry all night."),
    P("GB-BC-007", "kinderleicht", "tableware", "宝宝吸盘碗勺套装 3件", "Baby Suction Bowl & Spoon Set, 3 pieces",
      "Bowl Set", "3 pieces", "89.00", "硅胶吸盘可牢牢固定在餐桌上。",
      "A silicone suction base that holds firmly to the table."),
    P("GB-BC-008", "kinderleicht", "tableware", "儿童分格餐盘套装 4件", "Divided Toddler Plate Set, 4 pieces",
      "Plate Set", "4 pieces", "79.00", "三分格设计，帮助宝宝养成均衡饮食。",
      "Three sections to encourage balanced meals."),
    P("GB-BC-009", "kinderleicht", "tableware", "宝宝学饮杯 250毫升 附替换吸嘴", "Baby Sippy Cup 250 ml with Spare Spout, 2 pieces",
      "Sippy Cup", "2 pieces", "59.00", "防漏鸭嘴设计，双手柄方便抓握。",
      "A leak-proof spout with two easy-grip handles.", kg="0.12"),
    P("GB-BC-010", "kinderleicht", "plush", "经典毛绒泰迪熊 30厘米", "Classic Plush Teddy Bear, 30 cm", "Teddy 30",
      "1 piece", "159.00", "手工缝制，四肢关节可活动。", "Hand-stitched with movable joints.", tint="#b07a4a"),
    P("GB-BC-011", "kinderleicht", "plush", "安抚小熊玩偶 25厘米", "Comforter Bear, 25 cm", "Comforter", "1 piece",
      "99.00", "超柔短毛绒，可陪伴宝宝入睡。", "Extra-soft short plush to keep baby company at bedtime.",
      tint="#dcc7a6"),
    P("GB-BC-012", "kinderleicht", "plush", "毛绒北极熊 45厘米", "Plush Polar Bear, 45 cm", "Polar Bear", "1 piece",
      "189.00", "大号抱枕尺寸，白色长绒。", "Cuddle-cushion size in long white plush.", tint="#f0efe9", kg="0.6"),
    P("GB-BC-013", "kinderleicht", "stroller", "轻便折叠婴儿推车", "Lightweight Folding Stroller", "Kompakt", "1 piece",
      "1890.00", "单手一键收车，可登机尺寸，整车仅6.8公斤。", "One-hand fold, cabin-size, just 6.8 kg.", kg="6.8"),
    P("GB-BC-014", "kinderleicht", "stroller", "高景观双向婴儿车", "High-seat Reversible Pram", "Panorama", "1 piece",
      "3280.00", "座椅可双向安装，配大容量购物篮。", "A reversible seat and a large shopping basket.", kg="11.5"),
    # -- bags ---------------------------------------------------------------------------------------------
    P("GB-BG-001", "arno", "handbag", "牛皮托特包 焦糖色", "Leather Tote Bag, Cognac", "Tote Cognac", "1 piece",
      "2680.00", "意大利植鞣牛皮，手工缝制，可放入13英寸笔记本电脑。",
      "Italian vegetable-tanned leather, hand-stitched, fits a 13-inch laptop.", featured=True, stock="low",
      tint="#9a5b2e", kg="0.95"),
    P("GB-BG-002", "arno", "handbag", "小号牛皮手提包 黑色", "Small Leather Top-handle Bag, Black", "Top Handle",
      "1 piece", "1980.00", "版型挺括，附可拆卸肩带。", "A structured shape with a detachable shoulder strap.",
      tint="#1d1d1f", kg="0.7"),
    P("GB-BG-003", "arno", "handbag", "牛皮斜挎包 棕褐色", "Leather Crossbody Bag, Tan", "Crossbody", "1 piece",
      "1580.00", "轻巧实用，肩带长度可调。", "Light and practical with an adjustable strap.", tint="#b7804b",
      kg="0.55"),
    P("GB-BG-004", "verlaine", "handbag", "小羊皮手提包 黑色", "Lambskin Handbag, Noir", "Sac Noir", "1 piece",
      "3680.00", "柔软小羊皮配金色五金，巴黎工坊制作。", "Soft lambskin with gold hardware, made in a Paris workshop.",
      tint="#151515", kg="0.8"),
    P("GB-BG-005", "verlaine", "tote", "帆布托特包 原色", "Canvas Tote, Natural", "Toile", "1 piece", "680.00",
      "厚实棉帆布，配皮革提手。", "Heavy cotton canvas with leather handles.", tint="#d9ccb0"),
    P("GB-BG-006", "verlaine", "tote", "尼龙旅行手提包", "Nylon Weekender Bag", "Weekender", "1 piece", "890.00",
      "防泼水尼龙，可套在拉杆箱上。", "Water-repellent nylon that slips over a suitcase handle.", tint="#2f3e4e"),
    P("GB-BG-007", "arno", "tote", "提花面料购物包", "Jacquard Shopper Bag", "Jacquard", "1 piece", "560.00",
      "意大利提花织物，内有拉链口袋。", "Italian jacquard fabric with an inside zip pocket.", tint="#6b2737"),
    P("GB-BG-008", "wanderkoffer", "suitcase", "20英寸登机箱", "20-inch Cabin Suitcase", "Cabin 20", "1 piece",
      "1290.00", "聚碳酸酯箱体，符合多数航空公司的登机尺寸。",
      "A polycarbonate shell sized for most airlines' cabin limits.", kg="3.2"),
    P("GB-BG-009", "wanderkoffer", "suitcase", "26英寸托运箱", "26-inch Check-in Suitcase", "Check-in 26", "1 piece",
      "1690.00", "容量可扩展，适合一周的旅行。", "Expandable, right for a week away.", kg="4.3"),
    P("GB-BG-010", "wanderkoffer", "suitcase", "28英寸大容量托运箱", "28-inch Large Suitcase", "Large 28", "1 piece",
      "1890.00", "适合长途旅行与留学。", "For long trips and a year abroad.", kg="4.9", published=False),
    P("GB-BG-011", "arno", "wallet", "牛皮长款钱包", "Leather Long Wallet", "Long Wallet", "1 piece", "890.00",
      "12个卡位，带拉链零钱袋。", "Twelve card slots and a zipped coin pocket.", tint="#7a4a2a", kg="0.18"),
    P("GB-BG-012", "verlaine", "wallet", "小羊皮卡包", "Lambskin Card Holder", "Card Holder", "1 piece", "460.00",
      "轻薄小巧，可放入西装口袋。", "Slim enough for a jacket pocket.", tint="#a01c2a", kg="0.05"),
    P("GB-BG-013", "arno", "wallet", "男士牛皮短款钱包", "Men's Leather Bifold Wallet", "Bifold", "1 piece", "680.00",
      "经典对折款，八个卡位。", "A classic bifold with eight card slots.", tint="#3b2a20", kg="0.12"),
    # -- watches: only the first is above the 5,000 single-order limit (one unit may still be bought) ------
    P("GB-WT-001", "helvetor", "watch", "蓝宝石镜面石英腕表 40毫米", "Grand Sapphire Quartz Watch, 40 mm",
      "Grand Sapphire", "1 piece", "12000.00", "蓝宝石镜面，精钢表壳，防水100米。",
      "Sapphire crystal and a steel case, water-resistant to 100 m.", featured=True,
      stock="low"),
    P("GB-WT-002", "helvetor", "watch", "经典石英男表 39毫米", "Classic Quartz Men's Watch, 39 mm", "Classique",
      "1 piece", "3980.00", "简洁表盘，搭配小牛皮表带。", "A clean dial on a calfskin strap."),
    P("GB-WT-003", "helvetor", "watch", "珍珠贝母表盘女表 28毫米", "Ladies' Mother-of-pearl Watch, 28 mm", "Nacre",
      "1 piece", "4580.00", "天然珍珠贝母表盘，精钢链带。", "A natural mother-of-pearl dial on a steel bracelet."),
    P("GB-WT-004", "montrelac", "watch", "三眼计时石英表 42毫米", "Chronograph Quartz Watch, 42 mm", "Chrono",
      "1 piece", "2880.00", "三眼计时，带日期显示，防水50米。",
      "A three-counter chronograph with date, water-resistant to 50 m."),
    P("GB-WT-005", "montrelac", "watch", "极简石英表 36毫米", "Minimalist Quartz Watch, 36 mm", "Minimal", "1 piece",
      "1680.00", "超薄表壳，米兰编织表带。", "An ultra-thin case on a Milanese mesh strap."),
    P("GB-WT-006", "sorahane", "watch", "光动能腕表 40毫米", "Solar Quartz Watch, 40 mm", "Solar", "1 piece",
      "1280.00", "光照即可充电，无需更换电池。", "Charged by light; no battery changes."),
    P("GB-WT-007", "sorahane", "watch", "钛金属腕表 38毫米", "Titanium Quartz Watch, 38 mm", "Titanium", "1 piece",
      "2380.00", "钛金属表壳与表带，轻盈且不易过敏。", "A titanium case and bracelet, light and hypoallergenic."),
    P("GB-WT-008", "sorahane", "watch", "女士石英表 30毫米", "Ladies' Quartz Watch, 30 mm", "Petite", "1 piece",
      "980.00", "小巧表盘配精钢链带，日常通勤百搭。", "A petite dial on a steel bracelet for every day."),
    # -- small appliances ---------------------------------------------------------------------------------
    P("GB-AP-001", "elbwerk", "hair_dryer", "负离子护发吹风机 2000瓦", "Ionic Hair Dryer, 2000 W", "Ionic 2000",
      "1 piece", "699.00", "负离子护发，三档温度，带冷风键。", "Ionic care with three heat settings and a cool shot.",
      kg="0.65"),
    P("GB-AP-002", "elbwerk", "hair_dryer", "折叠便携吹风机", "Foldable Travel Hair Dryer", "Travel", "1 piece",
      "299.00", "手柄可折叠，出差旅行方便收纳。", "A folding handle that packs easily for trips.", kg="0.42"),
    P("GB-AP-003", "sorahane", "hair_dryer", "高速吹风机", "High-speed Hair Dryer", "Hyperflow", "1 piece", "1299.00",
      "11万转高速马达，三分钟吹干长发。", "A 110,000 rpm motor that dries long hair in three minutes.", kg="0.36"),
    P("GB-AP-004", "elbwerk", "shaver", "往复式电动剃须刀", "Foil Electric Shaver", "Foil Pro", "1 piece", "899.00",
      "三刀头往复式设计，干湿两用，可全身水洗。", "A three-blade foil head for wet or dry use, fully washable.",
      kg="0.2"),
    P("GB-AP-005", "elbwerk", "shaver", "旋转式电动剃须刀", "Rotary Electric Shaver", "Rotary", "1 piece", "599.00",
      "三刀头浮动贴合面部轮廓。", "Three floating heads that follow the contours of the face.", kg="0.22"),
    P("GB-AP-006", "sorahane", "shaver", "便携剃须刀", "Compact Travel Shaver", "Compact", "1 piece", "299.00",
      "USB-C充电，充一次电可用一个月。", "USB-C charging; one charge lasts a month.", kg="0.1"),
    P("GB-AP-007", "elbwerk", "toothbrush", "声波电动牙刷", "Sonic Electric Toothbrush", "Sonic", "1 piece", "399.00",
      "每分钟31000次振动，五种清洁模式。", "31,000 strokes a minute and five cleaning modes.", kg="0.15"),
    P("GB-AP-008", "sorahane", "toothbrush", "纤薄声波牙刷", "Slim Sonic Toothbrush", "Slim Sonic", "1 piece",
      "259.00", "机身轻薄，充电一次可用30天。", "A slim body; one charge lasts 30 days.", kg="0.12"),
    P("GB-AP-009", "elbwerk", "toothbrush", "儿童电动牙刷", "Kids' Electric Toothbrush", "Kids", "1 piece", "159.00",
      "软毛刷头，两分钟智能计时。", "Soft bristles and a two-minute timer.", kg="0.1"),
    P("GB-AP-010", "caffe-vulcano", "coffee", "15巴泵压式意式咖啡机", "15-bar Pump Espresso Machine", "Espresso 15",
      "1 piece", "1980.00", "意大利泵压系统，配蒸汽奶泡管。", "An Italian pump system with a steam wand for milk.",
      featured=True, kg="4.6"),
    P("GB-AP-011", "caffe-vulcano", "coffee", "小型胶囊咖啡机", "Compact Capsule Coffee Machine", "Capsula",
      "1 piece", "899.00", "25秒快速预热，一键萃取。", "Heats up in 25 seconds; one button makes the coffee.",
      kg="3.2"),
    P("GB-AP-012", "caffe-vulcano", "coffee", "带磨豆意式咖啡机", "Espresso Machine with Built-in Grinder", "Barista",
      "1 piece", "3980.00", "内置锥形磨豆机，研磨度十五档可调。",
      "A built-in conical grinder with fifteen grind settings.", stock="none", kg="8.9"),
    P("GB-AP-013", "caffe-vulcano", "juicer", "慢速榨汁机", "Slow Juicer", "Lento", "1 piece", "1280.00",
      "每分钟60转低速挤压，保留果蔬营养。", "Presses at 60 rpm to keep the goodness in fruit and vegetables.",
      kg="4.2"),
    P("GB-AP-014", "elbwerk", "juicer", "小型榨汁机", "Compact Juicer", "Juicer", "1 piece", "459.00",
      "机身小巧，适合制作单人份果汁。", "A small machine for single servings of juice.", kg="2.1"),
    # -- sunglasses ---------------------------------------------------------------------------------------
    P("GB-EY-001", "solare-riviera", "sunglasses", "偏光飞行员太阳镜", "Polarised Aviator Sunglasses", "Aviator",
      "1 piece", "1180.00", "偏光镜片减少路面与水面反光，金属镜框。",
      "Polarised lenses cut glare from roads and water; metal frame."),
    P("GB-EY-002", "solare-riviera", "sunglasses", "玳瑁纹猫眼太阳镜", "Tortoiseshell Cat-eye Sunglasses", "Cat-eye",
      "1 piece", "980.00", "意大利板材镜框，手工打磨。", "An Italian acetate frame, polished by hand.",
      tint="#6b3f1d"),
    P("GB-EY-003", "solare-riviera", "sunglasses", "方框板材太阳镜", "Square Acetate Sunglasses", "Square",
      "1 piece", "880.00", "经典方框，男女皆宜。", "A classic square frame for men and women.", tint="#1d1d1f"),
    P("GB-EY-004", "solare-riviera", "sunglasses", "儿童太阳镜", "Kids' Sunglasses", "Kids", "1 piece", "260.00",
      "镜腿柔韧，适合3–8岁儿童。", "Flexible arms, for children aged 3 to 8.", tint="#e53935"),
]
