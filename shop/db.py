"""The database: declarative base with named constraints, portable column types, one session per request."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app, g, has_request_context, request
from sqlalchemy import DateTime, Enum, Integer, MetaData, Numeric, bindparam, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.sql.expression import BindParameter
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ScaledDecimal(TypeDecorator):
    """An exact decimal: NUMERIC on PostgreSQL, a scaled integer on SQLite.

    SQLite has no decimal type; its NUMERIC goes through float (0.1 + 0.2 != 0.3). Storing
    money as integer fen there keeps sums, ordering and CHECK constraints exact.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 12, scale: int = 2):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(Numeric(self.impl.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self._quantum)
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale))
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    def coerce_compared_value(self, op, value):
        return self


def enum_column(enum_class, name: str, length: int = 24) -> Enum:
    """An enum stored as its string values (VARCHAR + CHECK), the same on every database."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                validate_strings=True, create_constraint=True, name=name)


def Money() -> ScaledDecimal:  # noqa: N802 - reads like a column type
    return ScaledDecimal(12, 2)


def Rate() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(6, 4)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every database (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def literal_int(value: int) -> BindParameter:
    """An integer written into the statement when it runs (`LIMIT 13`), for LIMIT and OFFSET.

    Sent as a parameter (`LIMIT $1`), a limit leaves PostgreSQL's plan for a prepared statement guessing that a
    tenth of the rows is wanted: on a large catalogue that generic plan costs many times the real one, so
    the server never keeps it and plans every execution again. Written into the statement, the generic plan is
    the right one and is kept. SQLAlchemy's statement cache still holds one entry, whatever the value.
    """
    return bindparam(None, int(value), type_=Integer, literal_execute=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        Decimal: Money(),
        datetime: UTCDateTime(),
    }


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite leaves foreign keys off by default, and a second writer would fail at once
    # ("database is locked") without a busy timeout.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _sqlite_transactions(engine: Engine, *, wal: bool) -> None:
    # Python's sqlite3 module begins transactions lazily and never before SAVEPOINT, which breaks
    # nested transactions and lets reads run outside the transaction. Let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        if wal:
            # Readers do not block the writer (and the other way round) in write-ahead-log mode.
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # IMMEDIATE takes the write lock up front. A deferred transaction that reads and then writes fails
        # at once with "database is locked" when another writer committed in between (the busy timeout does
        # not apply to that upgrade), which is exactly what two buyers racing for the last unit do. A request
        # that only reads (read_only) reads a snapshot instead, beside the others and beside the writer.
        conn.exec_driver_sql("BEGIN" if reading_only() else "BEGIN IMMEDIATE")


def read_only(view):
    """Mark a view that never writes (the storefront's pages). On SQLite its transaction is deferred, so that
    such requests read side by side instead of queueing for the write lock; on every database a write from it
    is refused (ReadOnlyRequest), so the mark cannot silently become wrong."""
    view.db_read_only = True
    return view


class ReadOnlyRequest(RuntimeError):
    """A view marked read_only tried to write."""


def reading_only() -> bool:
    """Whether the request being served is one of a view marked read_only."""
    return has_request_context() and g.get("db_read_only", False)


def _mark_read_only() -> None:
    if request.endpoint is not None:
        g.db_read_only = getattr(current_app.view_functions.get(request.endpoint), "db_read_only", False)


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, flush_context, instances) -> None:
    if (session.new or session.dirty or session.deleted) and reading_only():
        raise ReadOnlyRequest(f"{request.endpoint} is marked read_only but writes")


class AppSession(Session):
    """A session that talks to the current app's engine unless it was bound explicitly (tests)."""

    def get_bind(self, mapper=None, *, clause=None, bind=None, **kwargs):
        if bind is not None or self.bind is not None:
            return super().get_bind(mapper, clause=clause, bind=bind, **kwargs)
        return current_app.extensions["db_engine"]


class Database:
    """The scoped session; each app keeps its own engine. The request (or command) is the one place that commits."""

    def __init__(self) -> None:
        self.session = scoped_session(sessionmaker(class_=AppSession, expire_on_commit=False))

    @property
    def engine(self) -> Engine:
        return current_app.extensions["db_engine"]

    def init_app(self, app) -> None:
        url = app.config["DATABASE_URL"]
        # In production, errors never print a statement's parameters (they hold names, addresses, ID numbers).
        kwargs = {"echo": app.config.get("SQL_ECHO", False), "hide_parameters": app.config.get("ENV") == "production"}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
        kwargs.update(app.config.get("DATABASE_ENGINE_OPTIONS") or {})  # pool_size, say; for tests and tools
        engine = create_engine(url, **kwargs)
        if engine.dialect.name == "sqlite":
            _sqlite_transactions(engine, wal=":memory:" not in url)
        app.extensions["db_engine"] = engine
        app.extensions["db_read_engine"] = self._read_engine(app, engine, kwargs)
        # First of the request's hooks, before anything that could open the transaction.
        app.before_request_funcs.setdefault(None, []).insert(0, _mark_read_only)

        @app.teardown_appcontext
        def _remove_session(exc):
            self.session.remove()
            reports = g.pop("db_reports", None)
            if reports is not None:
                reports.close()


    @staticmethod
    def _read_engine(app, engine: Engine, kwargs: dict) -> Engine:
        """Where heavy reads (reports, exports) go: the replica when one is configured.

        On SQLite, a second engine on the same file whose transactions stay deferred: a long read holds a
        snapshot (write-ahead log) instead of the write lock every ordinary transaction takes.
        """
        replica = app.config.get("DATABASE_REPLICA_URL")
        if replica:
            return create_engine(replica, pool_pre_ping=True, echo=kwargs["echo"],
                                 hide_parameters=kwargs["hide_parameters"])
        if engine.dialect.name != "sqlite":
            return engine
        reader = create_engine(app.config["DATABASE_URL"], **kwargs)

        @event.listens_for(reader, "connect")
        def _deferred(dbapi_connection, connection_record):
            dbapi_connection.isolation_level = None

        @event.listens_for(reader, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")

        return reader

    def _bound(self) -> bool:
        """Tests bind the session to one connection (inside a transaction they roll back)."""
        return self.session().bind is not None

    @property
    def reports(self) -> Session:
        """The request's session for heavy report pages: on the replica when one is configured (read only)."""
        if self._bound() or not current_app.config.get("DATABASE_REPLICA_URL"):
            return self.session
        if "db_reports" not in g:
            g.db_reports = Session(current_app.extensions["db_read_engine"])
        return g.db_reports

    def read_session(self) -> Session:
        """A session for heavy reads (reports and exports), on the replica when configured; close it after.

        Where the session is bound to one connection (tests), that session itself, so reads see its data.
        """
        if self._bound():
            return _Unclosed(self.session())
        return Session(current_app.extensions["db_read_engine"])

    def side_session(self) -> Session:
        """A session on a connection of its own, committing apart from the current work (job progress)."""
        if self._bound():
            return _Unclosed(self.session())
        return Session(self.engine)


class _Unclosed:
    """The current session lent out: closing it (or leaving a `with`) leaves it open; commit only flushes."""

    def __init__(self, session: Session):
        self._session = session

    def __getattr__(self, name):
        return getattr(self._session, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self) -> None:
        pass

    def commit(self) -> None:
        self._session.flush()


db = Database()


def after_commit(session: Session, action) -> None:
    """Run `action()` once the session's transaction has committed (e-mail, calls to outside systems).

    Nothing runs if the transaction rolls back: a message is never sent about work that did not happen.
    """
    session.info.setdefault("after_commit", []).append(action)


@event.listens_for(AppSession, "after_commit")
def _run_after_commit(session: Session) -> None:
    actions = session.info.pop("after_commit", [])
    if not actions:
        return
    # This session is still inside its commit: it can emit no SQL, and closing it (an app context popped by an
    # action removes the scoped session) breaks the commit. The actions get a scoped session of their own.
    registry = db.session.registry
    own = registry.has() and registry() is session
    if own:
        registry.clear()  # forgets the committing session without closing it
    try:
        for action in actions:
            try:
                action()
            except Exception:  # one failed side effect must not hide the others, nor undo the committed work
                current_app.logger.exception("an action after commit failed")
    finally:
        if own:
            if registry.has():
                registry().close()
            registry.set(session)


def after_rollback(session: Session, action) -> None:
    """Run `action()` if the session's transaction rolls back instead (to clean up what awaited the commit)."""
    session.info.setdefault("after_rollback", []).append(action)


@event.listens_for(AppSession, "after_commit")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("after_rollback", None)


@event.listens_for(AppSession, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop("after_commit", None)
        for action in session.info.pop("after_rollback", []):
            try:
                action()
            except Exception:
                current_app.logger.exception("an action after rollback failed")
