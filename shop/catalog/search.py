"""Catalogue search: the terms a product is found by, and the index that finds them on each database.

A product's `search_text` (names, brand, SKU, origin) is cut into terms:

- Latin words and numbers stay whole ("milk", "a2", "800");
- a run of Chinese (or Japanese, Korean) characters becomes its overlapping character pairs and its last
  character: 新西兰奶粉 → 新西 西兰 兰奶 奶粉 粉. Chinese has no spaces to find words by, and most queries are
  two characters (奶粉, 面膜): pairs are what a query is looked up by;
- every other character (%, -, _, ...) is a term of its own.

A query is cut the same way, and a product matches when it has every query term: Latin words and single
Chinese characters as prefixes ("mil" finds milk, 奶 finds 奶粉 and 牛奶), pairs and other characters exactly.
(The services also check that each query word appears in `search_text` as typed, so that 全脂奶 does not match
a product that has 全脂 and 脂奶 apart.)

The terms live in `product_search` (shop.catalog.models): on PostgreSQL as a tsvector with a GIN index, built
from the terms themselves (array_to_tsvector: no text search configuration or locale is involved); on SQLite as
text, with `product_search_terms` as the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    intersect,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from shop.catalog.models import Product, ProductSearch, ProductSearchTerm

# Chinese characters, kana and Hangul: scripts written without spaces between words.
CJK_RANGES = (
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x3FFFF),  # CJK Extensions B and later
)
MAX_TERM_LENGTH = 200  # the longest product name


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in CJK_RANGES)


def _runs(text: str) -> list[tuple[str, str]]:
    """(kind, run) pieces of the text: "word" (letters and digits), "cjk" runs and single "mark" characters."""
    pieces: list[tuple[str, str]] = []
    kind, start = "space", 0
    for i, char in enumerate(text):
        now = "space" if char.isspace() else "cjk" if _is_cjk(char) else "word" if char.isalnum() else "mark"
        if now != kind or now == "mark":
            if kind != "space":
                pieces.append((kind, text[start:i]))
            kind, start = now, i
    if kind != "space":
        pieces.append((kind, text[start:]))
    return pieces


def terms_of(text: str) -> set[str]:
    """The index terms of a (lower-cased) search text."""
    terms: set[str] = set()
    for kind, run in _runs(text):
        if kind == "cjk":
            terms.update(run[i:i + 2] for i in range(len(run) - 1))
            terms.add(run[-1])
        else:
            terms.add(run[:MAX_TERM_LENGTH])
    return terms


@dataclass(frozen=True)
class Term:
    """A term a query looks for: exactly, or as the start of index terms."""

    text: str
    prefix: bool

    @property
    def weight(self) -> int:
        """A guess at how few products have the term (higher: fewer): longer words, numbers most of all."""
        if _is_cjk(self.text[0]):
            return 3 if len(self.text) == 2 else 1
        if not self.text[0].isalnum():
            return 0
        return len(self.text) * (2 if any(char.isdigit() for char in self.text) else 1)


def query_terms(words: Iterable[str]) -> list[Term]:
    """The terms a product must have to match all the (lower-cased) query words."""
    found: dict[str, Term] = {}
    for word in words:
        for kind, run in _runs(word):
            if kind == "cjk" and len(run) > 1:
                pieces = [Term(run[i:i + 2], prefix=False) for i in range(len(run) - 1)]
            else:
                pieces = [Term(run[:MAX_TERM_LENGTH], prefix=kind != "mark")]
            for term in pieces:
                found.setdefault(term.text, term)
    return list(found.values())


# --- queries ---------------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tsquery(terms: list[Term]) -> str:
    """The terms as a PostgreSQL tsquery, each lexeme quoted: 'a2':* & '奶粉'."""
    quoted = ("'" + term.text.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if term.prefix else "")
              for term in terms)
    return " & ".join(quoted)


def _document_has(terms: list[Term], dialect: str) -> ColumnElement[bool]:
    """A condition on product_search: the document has all the terms."""
    if dialect == "postgresql":
        return ProductSearch.document.op("@@")(cast(_tsquery(terms), TSQUERY))
    # the document is " term term … ": a term is found with the spaces around it, a prefix after one
    return and_(*(ProductSearch.document.like(f"% {_escape_like(term.text)}{'%' if term.prefix else ' %'}",
                                              escape="\\") for term in terms))


def _has_all(terms: list[Term], dialect: str) -> ColumnElement[bool]:
    """A condition on products: the product has all the terms (read from its own product_search row)."""
    return exists().where(ProductSearch.product_id == Product.id, _document_has(terms, dialect))


def _after_prefix(prefix: str) -> str | None:
    """The first string (in code point order) after every string that starts with `prefix`."""
    code = ord(prefix[-1]) + 1
    if 0xD800 <= code <= 0xDFFF:  # surrogates are not characters
        code = 0xE000
    if code > 0x10FFFF:
        return _after_prefix(prefix[:-1]) if len(prefix) > 1 else None
    return prefix[:-1] + chr(code)


def _products_with(term: Term) -> Select:
    """The ids of the products that have the term, from SQLite's product_search_terms."""
    column = ProductSearchTerm.term
    if not term.prefix:
        return select(ProductSearchTerm.product_id).where(column == term.text)
    upper = _after_prefix(term.text)
    return select(ProductSearchTerm.product_id).where(column >= term.text, *([column < upper] if upper else []))


def conditions(words: list[str], dialect: str, *, from_index: bool = False) -> list[ColumnElement[bool]]:
    """Conditions on products for the (lower-cased) query words.

    The product has every term of the words; and a word that is more than one term (全脂奶, t-001) appears
    in `search_text` as typed (a word that is a term always does). With from_index, the first condition
    draws the products from the search index, for a search with few matches: on PostgreSQL the products that
    the GIN index finds; on SQLite those that have the likely rarest terms in product_search_terms, checked
    for the others one by one.
    """
    terms = query_terms(words)
    if not terms:
        return []
    typed = [Product.search_text.like(f"%{_escape_like(word)}%", escape="\\")
             for word in words if [term.text for term in query_terms([word])] != [word]]
    if not from_index:
        return [_has_all(terms, dialect), *typed]
    if dialect == "postgresql":  # materialized: else the planner may sort every product and probe each
        found = (select(ProductSearch.product_id).where(_document_has(terms, dialect))
                 .cte("found").prefix_with("MATERIALIZED"))
        return [Product.id.in_(select(found.c.product_id)), *typed]
    top = max(term.weight for term in terms)
    rarest = [term for term in terms if term.weight == top]  # all the pairs of a Chinese word, say
    others = [term for term in terms if term.weight != top]
    found = intersect(*map(_products_with, rarest)) if len(rarest) > 1 else _products_with(rarest[0])
    return [Product.id.in_(found), *([_has_all(others, dialect)] if others else []), *typed]


# --- keeping the index in step --------------------------------------------------------------------


def _document_rows(dialect: str, products: Iterable[tuple[int, set[str]]]) -> list[dict]:
    if dialect == "postgresql":
        return [{"product_id": product_id, "terms": sorted(terms)} for product_id, terms in products]
    return [{"product_id": product_id, "terms": " " + " ".join(sorted(terms)) + " "} for product_id, terms in products]


def _insert_documents(connection: Connection, products: list[tuple[int, set[str]]]) -> None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        document = func.array_to_tsvector(bindparam("terms", type_=ARRAY(Text)))
    else:
        document = bindparam("terms", type_=Text)
    stmt = insert(ProductSearch.__table__).values(product_id=bindparam("product_id"), document=document)
    connection.execute(stmt, _document_rows(dialect, products))


def index_product(connection: Connection, product_id: int, search_text: str) -> None:
    """Replace the product's index entry by the terms of its search text."""
    terms = terms_of(search_text)
    if connection.dialect.name != "postgresql":
        before = connection.scalar(select(ProductSearch.document).where(ProductSearch.product_id == product_id))
        old = set(before.split()) if before else set()
        if old - terms:
            connection.execute(delete(ProductSearchTerm).where(
                ProductSearchTerm.term.in_(sorted(old - terms)), ProductSearchTerm.product_id == product_id))
        if terms - old:
            connection.execute(insert(ProductSearchTerm.__table__),
                               [{"term": term, "product_id": product_id} for term in sorted(terms - old)])
    connection.execute(delete(ProductSearch).where(ProductSearch.product_id == product_id))
    _insert_documents(connection, [(product_id, terms)])


def index_products(connection: Connection, products: Iterable[tuple[int, str]]) -> None:
    """Index new products, given as (id, search text) pairs (bulk loads write no ORM objects)."""
    found = [(product_id, terms_of(text)) for product_id, text in products]
    if not found:
        return
    _insert_documents(connection, found)
    if connection.dialect.name != "postgresql":
        connection.execute(insert(ProductSearchTerm.__table__), [
            {"term": term, "product_id": product_id} for product_id, terms in found for term in sorted(terms)])
