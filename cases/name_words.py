"""The word table of the people search (issue 16, PostgreSQL): a page of a name
search read in name order from an index instead of sorting every match.

``person_word`` holds one row per distinct word of each person's folded name:
``(word, later, name_folded, person_id)``, ``later`` false for the name's first
word and true for the others; ``name_word`` is the dictionary of the words seen
(never shrinks: a word no one bears any more only costs an empty read). Both are
kept current by a trigger on ``person`` (insert, update of ``name_folded``), in the
writing transaction, whatever writes the person (the ORM, the import's bulk
insert); a deleted or truncated person's words go by the foreign key's cascade; a bulk load that bypasses triggers (``COPY`` with
``session_replication_role = replica``) refills them with :func:`rebuild`.

A search for ``q`` (:func:`cases.people.name_matches`, ranked by
:func:`cases.people.name_rank`) reads, for each dictionary word ``d`` that
``q``'s first word can start (``d LIKE 'first%'``; equal to it when ``q`` has more
words), two streams from the index ``(word, later, name_folded, person_id)``:
the names whose first word is ``d`` (rank 0) and those with ``d`` as a later word
whose first word does not match (rank 1), each filtered by the caller's criteria
(scope, status...) and the exact match, in name order, stopping at the page
size. Every stream holds only rows of one rank, in the list's order, so the first
``limit`` rows of the whole search are among the streams' first ``limit`` each
(:func:`candidates`). SQLite keeps its FTS5 index ``search_name`` (no LATERAL).
"""

from __future__ import annotations

import sqlalchemy as sa

from core.text import fold

# The highest code point: ``prefix <= x < prefix + TOP`` is a prefix in binary order.
TOP = "\U0010ffff"

person_word = sa.table("person_word", sa.column("word"), sa.column("later", sa.Boolean),
                       sa.column("name_folded"), sa.column("person_id"))
name_word = sa.table("name_word", sa.column("word"))

# The words of a folded name (fold() collapses spaces: one space between words).
_WORDS = "unnest(string_to_array({name}, ' ')) WITH ORDINALITY AS w(word, n)"

DDL = (
    'CREATE TABLE person_word (word varchar(200) COLLATE "C" NOT NULL, later boolean NOT NULL, '
    "name_folded varchar(200) NOT NULL, person_id integer NOT NULL, "
    "CONSTRAINT pk_person_word PRIMARY KEY (person_id, word, later), "
    "CONSTRAINT fk_person_word_person_id_person FOREIGN KEY (person_id) REFERENCES person (id) ON DELETE CASCADE)",
    "CREATE INDEX ix_person_word_order ON person_word (word, later, name_folded, person_id)",
    'CREATE TABLE name_word (word varchar(200) COLLATE "C" NOT NULL, CONSTRAINT pk_name_word PRIMARY KEY (word))',
    "CREATE FUNCTION person_word_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'UPDATE' THEN DELETE FROM person_word WHERE person_id = OLD.id; END IF; "
    "INSERT INTO person_word (word, later, name_folded, person_id) SELECT DISTINCT w.word, w.n > 1, "
    "NEW.name_folded, NEW.id FROM " + _WORDS.format(name="NEW.name_folded") + " WHERE w.word <> ''; "
    "INSERT INTO name_word (word) SELECT DISTINCT w.word FROM " + _WORDS.format(name="NEW.name_folded")
    + " WHERE w.word <> '' ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    "CREATE TRIGGER person_word_sync AFTER INSERT OR UPDATE OF name_folded ON person "
    "FOR EACH ROW EXECUTE FUNCTION person_word_sync()",
)
DROP = ("DROP TRIGGER IF EXISTS person_word_sync ON person", "DROP FUNCTION IF EXISTS person_word_sync()",
        "DROP TABLE IF EXISTS person_word", "DROP TABLE IF EXISTS name_word")


def rebuild(conn) -> int:
    """Refill ``person_word`` and ``name_word`` from ``person``, set-based (two
    ``INSERT … SELECT``), after a bulk load that bypassed the trigger. ``conn``: a
    SQLAlchemy connection or session on PostgreSQL. Returns the word rows written."""
    conn.execute(sa.text("DELETE FROM person_word"))
    count = conn.execute(sa.text(
        "INSERT INTO person_word (word, later, name_folded, person_id) SELECT DISTINCT w.word, w.n > 1, "
        "p.name_folded, p.id FROM person p CROSS JOIN LATERAL " + _WORDS.format(name="p.name_folded")
        + " WHERE w.word <> ''")).rowcount
    conn.execute(sa.text("INSERT INTO name_word (word) SELECT DISTINCT word FROM person_word "
                         "ON CONFLICT DO NOTHING"))
    return count


_BYTE_ORDER: dict[str, bool] = {}


def byte_ordered(session) -> bool:
    """Does the database compare text in byte order (collation C, POSIX or C.UTF-8, libc)?
    Then a prefix is a range of the index (see :func:`candidates`). Read once a process
    and database (the first search pays one statement)."""
    key = str(session.get_bind().url)
    if key not in _BYTE_ORDER:
        collate, provider = session.execute(sa.text(
            "SELECT datcollate, to_jsonb(d) ->> 'datlocprovider' FROM pg_database d "
            "WHERE datname = current_database()")).one()
        _BYTE_ORDER[key] = provider in (None, "c") and collate in ("C", "POSIX", "C.UTF-8", "C.utf8")
    return _BYTE_ORDER[key]


def candidates(q: str, criteria: list, person_column, after: tuple | None, limit: int,
               byte_order: bool = False):
    """SELECT of the ids of at most ``2 × limit`` people per dictionary word that
    ``q`` can start (PostgreSQL): among them, the first ``limit`` people in the
    search's order (rank, folded name, id) matching ``q`` and ``criteria`` (on
    ``Person`` joined to its ``Unit``, as in the caller's query), after the keyset
    ``after`` = (rank, name, id) if given. The caller filters and orders exactly:
    this only narrows the rows it reads. ``person_column`` is ``Person.id``. With
    ``byte_order`` (:func:`byte_ordered`) the names starting with ``q`` are also a range of
    the index (the first word's stream jumps to "nguyen van" instead of filtering every
    "nguyen …" before it)."""
    from core.models import Person, Unit

    folded = fold(q)
    first, *others = folded.split(" ")
    # A name matching "a b c" bears the words "a…" (or "a" and then "b" and "c…"): when one of
    # the query's other words is no word (the last, no word's start) of anyone, no stream is read.
    known = [sa.exists().where(name_word.c.word == word) for word in others[:-1]]
    if others:
        known.append(sa.exists().where(name_word.c.word >= others[-1], name_word.c.word < others[-1] + TOP))
    inner = sa.alias(name_word, "d")
    words = sa.select(inner.c.word).where(
        inner.c.word == first if others else sa.and_(inner.c.word >= first, inner.c.word < first + TOP),
        *known).subquery("d_words")
    starts = person_word.c.name_folded.startswith(folded, autoescape=True)
    later_word = person_word.c.name_folded.contains(" " + folded, autoescape=True)
    streams = []
    if byte_order and others:
        starts = sa.and_(starts, person_word.c.name_folded >= folded, person_word.c.name_folded < folded + TOP)
    for rank, match in ((0, starts), (1, sa.and_(later_word, sa.not_(person_word.c.name_folded.startswith(
            folded, autoescape=True))))):
        cond = [person_word.c.word == words.c.word, person_word.c.later == sa.literal(bool(rank), sa.Boolean), match, *criteria]
        if after is not None:
            after_rank, name, pid = after
            if rank < after_rank:
                continue
            if rank == after_rank:
                cond.append(sa.tuple_(person_word.c.name_folded, person_word.c.person_id) > sa.tuple_(name, pid))
        stream = (sa.select(person_word.c.person_id).select_from(person_word)
                  .join(Person, Person.id == person_word.c.person_id).join(Unit, Unit.id == Person.unit_id)
                  .where(*cond).order_by(person_word.c.name_folded, person_word.c.person_id).limit(limit)
                  .correlate(words).lateral(f"s{rank}"))
        streams.append(sa.select(stream.c.person_id).select_from(words).join(stream, sa.true()).correlate(None))
    if not streams:
        return sa.select(person_column).where(sa.false())
    return sa.union_all(*streams) if len(streams) > 1 else streams[0]
